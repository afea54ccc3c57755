import { documentedRoutes, openApiDocument } from './support/openapi.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('OpenAPI documentation', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp.close());

  it('serves the interactive documentation at /docs', async () => {
    const response = await testApp.http('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('documents every route, its DTOs, the error envelope and bearer auth at /docs-json', async () => {
    const document = await openApiDocument(testApp);
    expect(documentedRoutes(document)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/register',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/logout',
        'GET /api/v1/users/me',
        'POST /api/v1/meetings',
        'GET /api/v1/meetings',
        'PATCH /api/v1/meetings/{code}',
        'GET /api/v1/meetings/history',
        'POST /api/v1/meetings/history',
        'DELETE /api/v1/meetings/history/{id}',
        'GET /api/v1/meetings/{code}',
        'GET /health/live',
        'GET /health/ready',
      ]),
    );
    expect(document.components.securitySchemes?.bearer?.scheme).toBe('bearer');
    expect(document.paths['/api/v1/users/me'].get.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(document.components.schemas ?? {})).toEqual(
      expect.arrayContaining([
        'RegisterDto',
        'LoginDto',
        'LoginResponseDto',
        'ErrorEnvelopeDto',
        'HistoryPageDto',
        'MeetingDto',
        'HostMeetingDto',
        'MeetingPageDto',
        'UpdateMeetingDto',
      ]),
    );
  });
});
