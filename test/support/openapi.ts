import type { TestApp } from './test-app.js';

/** The OpenAPI document the app serves at /docs-json, as far as the suites read it. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { security?: unknown[] }>>;
  components: {
    securitySchemes?: Record<string, { scheme?: string }>;
    schemas?: Record<string, unknown>;
  };
}

export async function openApiDocument(testApp: TestApp): Promise<OpenApiDocument> {
  return (await (await testApp.http('/docs-json')).json()) as OpenApiDocument;
}

/** Every documented route as `METHOD /path`. */
export function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
}
