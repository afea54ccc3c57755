import type { TestApp } from './test-app.js';

interface OpenApiSchema {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  properties?: Record<string, OpenApiSchema>;
}

interface OpenApiOperation {
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> };
}

/** The OpenAPI document the app serves at /docs-json, as far as the suites read it. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    securitySchemes?: Record<string, { scheme?: string }>;
    schemas?: Record<string, OpenApiSchema>;
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

/** One documented route with what it takes. */
export interface DocumentedOperation {
  /** `POST`, `GET`, ... */
  method: string;
  /** The documented path, parameters in braces: `/api/v1/meetings/{code}`. */
  path: string;
  /** The fields of its JSON body, when it takes one. */
  bodyFields?: string[];
  /** Those of its body fields documented as nullable (null means something: not bad input). */
  nullableBodyFields: string[];
  /** Those of its body fields documented as booleans (`false` is not bad input). */
  booleanBodyFields: string[];
  queryParameters: string[];
  pathParameters: string[];
}

function resolveSchema(document: OpenApiDocument, schema: OpenApiSchema): OpenApiSchema {
  const name = schema.$ref?.replace('#/components/schemas/', '');
  return name === undefined ? schema : (document.components.schemas?.[name] ?? {});
}

/** Every documented route with its body fields and parameters. */
export function documentedOperations(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => {
      const parameters = operation.parameters ?? [];
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      const properties = Object.entries(
        (schema === undefined ? undefined : resolveSchema(document, schema).properties) ?? {},
      );
      const types = (property: OpenApiSchema): string[] => [property.type ?? []].flat();
      return {
        method: method.toUpperCase(),
        path,
        bodyFields:
          schema === undefined
            ? undefined
            : Object.keys(resolveSchema(document, schema).properties ?? {}),
        nullableBodyFields: properties
          .filter(([, property]) => property.nullable === true || types(property).includes('null'))
          .map(([name]) => name),
        booleanBodyFields: properties
          .filter(([, property]) => types(property).includes('boolean'))
          .map(([name]) => name),
        queryParameters: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        pathParameters: parameters.filter((p) => p.in === 'path').map((p) => p.name),
      };
    }),
  );
}
