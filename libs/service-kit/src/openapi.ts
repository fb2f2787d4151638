import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ApiProperty, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

import { IS_PUBLIC_KEY } from '@jwt-token/auth';

/** The error body of every non-OAuth endpoint. */
export class ApiErrorDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'validation_failed', description: 'Stable snake_case code' })
  error!: string;

  @ApiProperty({ example: 'email: email must be an email address' })
  message!: string;
}

/** RFC 6749 §5.2 error body of the `/oauth/*` endpoints. */
export class OAuthErrorDto {
  @ApiProperty({ example: 'invalid_client' })
  error!: string;

  @ApiProperty({ example: 'client authentication failed' })
  error_description!: string;
}

export interface OpenApiOptions {
  title: string;
  description: string;
  version?: string;
}

/** `Controller_method` of every handler that is `@Public()`, by itself or through its controller. */
function publicOperationIds(app: INestApplication): Set<string> {
  const ids = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const classIsPublic = Reflect.getMetadata(IS_PUBLIC_KEY, controller) === true;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        if (classIsPublic || Reflect.getMetadata(IS_PUBLIC_KEY, handler) === true)
          ids.add(`${controller.name}_${name}`);
      }
    }
  }
  return ids;
}

/**
 * The OpenAPI document of a service: bearer auth required everywhere except `@Public()` routes
 * (read from the same metadata the guard reads, so the document cannot drift from the guard),
 * and the shared error shape on every operation.
 */
export function createOpenApiDocument(
  app: INestApplication,
  options: OpenApiOptions,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setDescription(options.description)
    .setVersion(options.version ?? '0.1.0')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (RFC 9068 at+jwt)' },
      'bearer',
    )
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ApiErrorDto, OAuthErrorDto],
  });
  const open = publicOperationIds(app);
  const errorRef = { $ref: '#/components/schemas/ApiErrorDto' };
  const oauthErrorRef = { $ref: '#/components/schemas/OAuthErrorDto' };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item)) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      if (open.has(operation.operationId)) operation.security = [];
      const schema = path.startsWith('/oauth/') ? oauthErrorRef : errorRef;
      const statuses = operation.security?.length === 0 ? ['400', '429'] : ['400', '401', '403'];
      for (const status of statuses) {
        operation.responses[status] ??= {
          description: 'Error',
          content: { 'application/json': { schema } },
        };
      }
    }
  }
  return document;
}

/** Serves the document at `/docs` (UI) and `/docs-json`. */
export function setupOpenApi(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const document = createOpenApiDocument(app, options);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
  return document;
}
