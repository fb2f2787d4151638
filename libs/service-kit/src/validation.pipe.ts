import { type ArgumentMetadata, type ValidationError, ValidationPipe } from '@nestjs/common';

import { ApiError } from './api-error';

function flatten(
  errors: ValidationError[],
  prefix = '',
): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Deeper input is refused before class-transformer, whose recursion would overflow the stack (a 500). */
export const MAX_INPUT_DEPTH = 32;

/** A UTF-16 surrogate without its pair: JSON's `"\ud800"` escape can produce one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The first problem of a body or query that no DTO can accept and that would otherwise crash the
 * validators: nesting beyond {@link MAX_INPUT_DEPTH}, or a string that is not well-formed Unicode
 * (validator's isEmail throws a URIError on one). Iterative, so any depth is safe to inspect.
 */
function structuralProblem(input: unknown): { field: string; problem: string } | null {
  const stack: Array<[unknown, string, number]> = [[input, '', 0]];
  while (stack.length > 0) {
    const [value, path, depth] = stack.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value))
        return { field: path, problem: 'must be well-formed Unicode text' };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH)
      return { field: path, problem: `is nested deeper than ${MAX_INPUT_DEPTH} levels` };
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key))
        return { field: childPath, problem: 'names must be well-formed Unicode text' };
      stack.push([child, childPath, depth + 1]);
    }
  }
  return null;
}

class BoundedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const found = structuralProblem(value);
      if (found) {
        const field = found.field || metadata.type;
        throw new ApiError(400, 'validation_failed', `${field}: ${found.problem}`, {
          fields: [{ field, problems: [found.problem] }],
        });
      }
    }
    return super.transform(value, metadata);
  }
}

/**
 * Validates every DTO: unknown fields are rejected, types are not coerced, and a failure is a
 * 400 `validation_failed` naming each field: `{…, fields: [{field, problems}]}`. Bodies nested
 * too deep or carrying ill-formed Unicode are refused the same way before any DTO sees them.
 */
export function createValidationPipe(): ValidationPipe {
  return new BoundedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const message =
        fields.map((f) => `${f.field}: ${f.problems.join(', ')}`).join('; ') ||
        'invalid request body';
      return new ApiError(400, 'validation_failed', message, { fields });
    },
  });
}
