import { IsEmail, IsString } from 'class-validator';

import { ApiError } from './api-error';
import { createValidationPipe, MAX_INPUT_DEPTH } from './validation.pipe';

class LoginBody {
  @IsEmail()
  email!: string;

  @IsString()
  password!: string;
}

const body = { type: 'body' as const, metatype: LoginBody, data: undefined };

async function refusal(value: unknown): Promise<ApiError> {
  try {
    await createValidationPipe().transform(value, body);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('accepted');
}

describe('createValidationPipe', () => {
  it('accepts a valid body', async () => {
    await expect(
      createValidationPipe().transform({ email: 'a@example.com', password: 'x' }, body),
    ).resolves.toBeInstanceOf(LoginBody);
  });

  it('refuses deep nesting with a 400 instead of overflowing the stack in class-transformer', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    for (const value of [{ email: deep, password: 'x' }, deep]) {
      const error = await refusal(value);
      expect(error).toBeInstanceOf(ApiError);
      expect(error.getStatus()).toBe(400);
      expect(error.getResponse()).toMatchObject({ error: 'validation_failed' });
    }
    let allowed: unknown = 'x';
    for (let i = 0; i < MAX_INPUT_DEPTH - 1; i++) allowed = { a: allowed };
    // Within the limit, the DTO rules decide (here: unknown property `a`).
    expect(
      (await refusal({ email: 'a@example.com', password: 'x', a: allowed })).getResponse(),
    ).toMatchObject({ fields: [{ field: 'a' }] });
  });

  it('refuses lone surrogates in values and names with a 400 (validator would throw a URIError)', async () => {
    for (const value of [
      { email: '\ud800', password: 'x' },
      { email: 'x\udfffy@example.com', password: 'x' },
      { email: 'a@example.com', password: 'x', ['\udc00']: 1 },
    ]) {
      const error = await refusal(value);
      expect(error.getStatus()).toBe(400);
      expect(error.getResponse()).toMatchObject({
        error: 'validation_failed',
        message: expect.stringContaining('well-formed Unicode'),
      });
    }
    // Paired surrogates (emoji) are ordinary text.
    expect(
      (await refusal({ email: '😀@example.com', password: '😀' })).getResponse(),
    ).toMatchObject({ fields: [{ field: 'email' }] });
  });
});
