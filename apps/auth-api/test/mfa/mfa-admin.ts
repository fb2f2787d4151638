import type { TestAuthApi } from '../harness';

/** The bootstrap admin these suites start auth-api with. */
export const ADMIN_PASSWORD_ENV = {
  ADMIN_EMAIL: 'admin@example.com',
  ADMIN_PASSWORD: 'admin-password-1',
};

export async function adminLogin(api: TestAuthApi): Promise<string> {
  const res = await api
    .http()
    .post('/auth/login')
    .send({ email: ADMIN_PASSWORD_ENV.ADMIN_EMAIL, password: ADMIN_PASSWORD_ENV.ADMIN_PASSWORD });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}
