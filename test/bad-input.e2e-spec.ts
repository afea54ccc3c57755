import { request as httpRequest } from 'node:http';
import { createUser, type Envelope, useApiTestApp } from './support/api-client.js';
import {
  type DocumentedOperation,
  documentedOperations,
  openApiDocument,
} from './support/openapi.js';
import type { TestApp } from './support/test-app.js';

/** Values for path parameters: well-formed, so a request gets as far as it can. */
const PATH_PARAMETER_VALUES: Readonly<Record<string, string>> = {
  id: '6650f0c2a1b2c3d4e5f60718',
  code: 'abc-defg-hij',
  userId: '6650f0c2a1b2c3d4e5f60719',
};

interface RawResponse {
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * Any method with any body (fetch() refuses a body on GET), JSON unless told otherwise, with
 * a Bearer token so signed-in routes get past their guard to the body.
 */
function send(
  testApp: TestApp,
  method: string,
  path: string,
  body: string,
  token: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port: testApp.port,
        method,
        path,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const contentType = response.headers['content-type'] ?? '';
          resolve({
            status: response.statusCode ?? 0,
            contentType,
            body: contentType.includes('json') && text !== '' ? JSON.parse(text) : text,
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function concretePath(operation: DocumentedOperation): string {
  return operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = PATH_PARAMETER_VALUES[name];
    if (value === undefined) throw new Error(`no sample value for path parameter ${name}`);
    return value;
  });
}

function isEnvelope(body: unknown, status: number): body is Envelope {
  const envelope = body as Partial<Envelope> | null;
  return (
    typeof envelope === 'object' &&
    envelope !== null &&
    envelope.status === status &&
    typeof envelope.error === 'string' &&
    envelope.error.length > 0
  );
}

/** `levels` arrays inside each other: `[[[...]]]`. */
function nestedArrays(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/**
 * Whatever a client sends to a documented route, a body nested 2,000 levels deep or null in
 * any field, the answer is a 400 with the envelope, never a 5xx (nor a 403 for a null id).
 * The routes come from the OpenAPI document, so a new route is covered as soon as it exists.
 */
describe('Bad input on every documented route: 400 with the envelope, never 5xx', () => {
  const suite = useApiTestApp();
  let operations: DocumentedOperation[];

  beforeAll(async () => {
    operations = documentedOperations(await openApiDocument(suite.testApp));
  });

  it('reads the routes and their body fields from /docs-json', () => {
    const withBodies = operations
      .filter((operation) => operation.bodyFields !== undefined)
      .map((operation) => `${operation.method} ${operation.path}`);
    expect(withBodies).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/register',
        'POST /api/v1/auth/login',
        'POST /api/v1/meetings',
        'PATCH /api/v1/meetings/{code}',
        'POST /api/v1/meetings/history',
      ]),
    );
    const patch = operations.find((operation) => operation.method === 'PATCH');
    expect(patch?.nullableBodyFields).toEqual(['passcode']);
    expect(patch?.booleanBodyFields.sort()).toEqual(['allowGuests', 'muteOnEntry']);
    expect(operations.length).toBeGreaterThanOrEqual(12);
  });

  it('answers a body nested 2,000 levels deep with 400 on every route, before anything else', async () => {
    const problems: string[] = [];
    for (const operation of operations) {
      // A fresh user each time: were the body to get through, POST /auth/logout would end
      // the session and every later route would answer 401 instead.
      const user = await createUser(suite.api);
      for (const body of [
        nestedArrays(2000),
        `{"name": ${nestedArrays(2000)}}`,
        `{"a": ${'{"a": '.repeat(1999)}null${'}'.repeat(1999)}}`,
      ]) {
        const response = await send(
          suite.testApp,
          operation.method,
          concretePath(operation),
          body,
          user.token,
        );
        if (
          response.status !== 400 ||
          !isEnvelope(response.body, 400) ||
          response.body.error !== 'Request body is nested too deeply'
        ) {
          problems.push(
            `${operation.method} ${operation.path}: ${response.status} ${JSON.stringify(response.body)}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('answers null in any body field with 400 naming the field, on every route with a body', async () => {
    const user = await createUser(suite.api);
    const problems: string[] = [];
    let checked = 0;
    for (const operation of operations) {
      for (const field of operation.bodyFields ?? []) {
        // Documented as nullable: null is a value there (a meeting's `passcode: null`: none).
        if (operation.nullableBodyFields.includes(field)) continue;
        checked += 1;
        const response = await send(
          suite.testApp,
          operation.method,
          concretePath(operation),
          JSON.stringify({ [field]: null }),
          user.token,
        );
        const named =
          isEnvelope(response.body, 400) &&
          response.body.error === 'Validation failed' &&
          (response.body.details ?? []).some(
            (detail) => detail.field === field && detail.message.length > 0,
          );
        if (response.status !== 400 || !named) {
          problems.push(
            `${operation.method} ${operation.path} {${field}: null}: ${response.status} ${JSON.stringify(response.body)}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(7);
  });

  it('answers other values of the wrong shape, in any field or as the whole body, with 400', async () => {
    const user = await createUser(suite.api);
    const problems: string[] = [];
    for (const operation of operations) {
      if (operation.bodyFields === undefined) continue;
      const bodies = [
        'null',
        '[]',
        '[null]',
        '[{}]',
        '"text"',
        '123',
        'true',
        ...operation.bodyFields.flatMap((field) =>
          [[], {}, [null], { $ne: null }, 1e300, false, '']
            // `false` is a good value for a boolean field.
            .filter((value) => value !== false || !operation.booleanBodyFields.includes(field))
            .map((value) => JSON.stringify({ [field]: value })),
        ),
      ];
      for (const body of bodies) {
        const response = await send(
          suite.testApp,
          operation.method,
          concretePath(operation),
          body,
          user.token,
        );
        if (response.status !== 400 || !isEnvelope(response.body, 400)) {
          problems.push(
            `${operation.method} ${operation.path} ${body}: ${response.status} ${JSON.stringify(response.body)}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('never answers 5xx to odd query parameters, and any error has the envelope', async () => {
    const user = await createUser(suite.api);
    const problems: string[] = [];
    for (const operation of operations) {
      // Signing out is not a query parameter's doing; keep the session for the others.
      if (operation.path.endsWith('/logout')) continue;
      for (const name of operation.queryParameters) {
        for (const query of [`${name}=null`, `${name}=`, `${name}=1&${name}=2`, `${name}[a]=1`]) {
          const response = await send(
            suite.testApp,
            operation.method,
            `${concretePath(operation)}?${query}`,
            '',
            user.token,
          );
          if (
            response.status >= 500 ||
            (response.status >= 400 && !isEnvelope(response.body, response.status))
          ) {
            problems.push(
              `${operation.method} ${operation.path}?${query}: ${response.status} ${JSON.stringify(response.body)}`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
