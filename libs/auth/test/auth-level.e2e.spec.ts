import { Controller, Get, UseGuards } from '@nestjs/common';
import request from 'supertest';

import { AuthLevelGuard, JwtAuthGuard, RequireAuthLevel } from '../src';
import { StepUpController } from './step-up.controller';
import { type AdapterName, createTestApp, type TestApp } from './test-app';

@UseGuards(JwtAuthGuard, AuthLevelGuard)
@Controller('guarded')
class GuardedController {
  @RequireAuthLevel('mfa')
  @Get()
  get() {
    return { ok: true };
  }
}

const STEP_UP = 'Bearer realm="test-api", error="insufficient_user_authentication"';

describe.each<AdapterName>(['express', 'fastify'])('@RequireAuthLevel on %s', (adapter) => {
  let ctx: TestApp;
  const http = () => request(ctx.app.getHttpServer());
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    ctx = await createTestApp(adapter, {}, [StepUpController]);
  });
  afterAll(() => ctx.app.close());

  it('refuses a password-only token with 401 and the RFC 9470 challenge', async () => {
    const token = ctx.tokens.sign({ amr: ['pwd'], acr: '1', auth_time: now() });
    const res = await http().get('/step-up').auth(token, { type: 'bearer' }).expect(401);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'insufficient_user_authentication',
      message: 'requires multi-factor authentication',
    });
    expect(res.headers['www-authenticate']).toBe(
      `${STEP_UP}, error_description="requires multi-factor authentication", acr_values="2"`,
    );
  });

  it('accepts amr mfa, and acr "2" without any amr', async () => {
    const mfa = ctx.tokens.sign({ amr: ['pwd', 'otp', 'mfa'], acr: '2' });
    await http().get('/step-up').auth(mfa, { type: 'bearer' }).expect(200, { level: 'mfa' });
    const level2 = ctx.tokens.sign({ acr: '2' });
    await http().get('/step-up').auth(level2, { type: 'bearer' }).expect(200);
  });

  it('decides again on every request, the verified-token cache notwithstanding', async () => {
    const token = ctx.tokens.sign({ amr: ['pwd'] });
    for (let i = 0; i < 3; i += 1) {
      await http().get('/step-up').auth(token, { type: 'bearer' }).expect(401);
      await http().get('/me').auth(token, { type: 'bearer' }).expect(200);
    }
  });

  it('refuses a malformed amr even though it spells mfa', async () => {
    const token = ctx.tokens.sign({ amr: 'mfa' as unknown as string[] });
    const res = await http().get('/step-up').auth(token, { type: 'bearer' }).expect(401);
    expect(res.body.message).toBe('token amr claim is malformed');
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="test-api", error="insuff/);
  });

  describe("a handler's requirement replaces its controller's", () => {
    it('lets a fresh password-only login through the recency route', async () => {
      const token = ctx.tokens.sign({ amr: ['pwd'], auth_time: now() - 10 });
      await http().get('/step-up/recent').auth(token, { type: 'bearer' }).expect(200);
    });

    it('refuses an old auth_time, and a missing one, with max_age', async () => {
      const old = ctx.tokens.sign({ amr: ['pwd', 'mfa'], auth_time: now() - 400 });
      const res = await http().get('/step-up/recent').auth(old, { type: 'bearer' }).expect(401);
      expect(res.headers['www-authenticate']).toBe(
        `${STEP_UP}, error_description="requires authentication within the last 300 seconds", max_age=300`,
      );
      const none = ctx.tokens.sign({ amr: ['pwd', 'mfa'] });
      const missing = await http()
        .get('/step-up/recent')
        .auth(none, { type: 'bearer' })
        .expect(401);
      expect(missing.body.message).toBe('requires auth_time in the token');
    });

    it('requires every member of a combined requirement, and names all of it', async () => {
      const strong = { acr: 'gold', amr: ['hwk', 'mfa'], auth_time: now() };
      await http()
        .post('/step-up/keys')
        .auth(ctx.tokens.sign(strong), { type: 'bearer' })
        .expect(201, { level: 'hardware' });
      const noKey = ctx.tokens.sign({ ...strong, amr: ['otp', 'mfa'] });
      const res = await http().post('/step-up/keys').auth(noKey, { type: 'bearer' }).expect(401);
      expect(res.headers['www-authenticate']).toBe(
        `${STEP_UP}, error_description="requires authentication methods hwk", acr_values="gold 2", max_age=600`,
      );
    });
  });

  it('checks the role first: no point stepping up for a route one may not use', async () => {
    const user = ctx.tokens.sign({ roles: ['user'], amr: ['pwd'] });
    const forbidden = await http()
      .delete('/step-up/everything')
      .auth(user, { type: 'bearer' })
      .expect(403);
    expect(forbidden.body.error).toBe('forbidden');
    const admin = ctx.tokens.sign({ roles: ['admin'], amr: ['pwd'] });
    const stepUp = await http()
      .delete('/step-up/everything')
      .auth(admin, { type: 'bearer' })
      .expect(401);
    expect(stepUp.body.error).toBe('insufficient_user_authentication');
    const strong = ctx.tokens.sign({ roles: ['admin'], amr: ['pwd', 'mfa'] });
    await http().delete('/step-up/everything').auth(strong, { type: 'bearer' }).expect(200);
  });

  it('asks for a token first when there is none', async () => {
    const res = await http().get('/step-up').expect(401);
    expect(res.body.error).toBe('missing_token');
  });
});

describe('@RequireAuthLevel with module options', () => {
  it('honours mfaAcrValues, and asks for them in acr_values', async () => {
    const ctx = await createTestApp('express', { mfaAcrValues: ['silver', 'gold'] }, [
      StepUpController,
    ]);
    try {
      const http = () => request(ctx.app.getHttpServer());
      const gold = ctx.tokens.sign({ acr: 'gold' });
      await http().get('/step-up').auth(gold, { type: 'bearer' }).expect(200);
      const level2 = ctx.tokens.sign({ acr: '2' });
      const res = await http().get('/step-up').auth(level2, { type: 'bearer' }).expect(401);
      expect(res.headers['www-authenticate']).toMatch(/, acr_values="silver gold"$/);
    } finally {
      await ctx.app.close();
    }
  });

  it('works through @UseGuards with globalGuards: false', async () => {
    const ctx = await createTestApp('express', { globalGuards: false }, [GuardedController]);
    try {
      const http = () => request(ctx.app.getHttpServer());
      const pwd = ctx.tokens.sign({ amr: ['pwd'] });
      const res = await http().get('/guarded').auth(pwd, { type: 'bearer' }).expect(401);
      expect(res.body.error).toBe('insufficient_user_authentication');
      const mfa = ctx.tokens.sign({ amr: ['mfa'] });
      await http().get('/guarded').auth(mfa, { type: 'bearer' }).expect(200);
    } finally {
      await ctx.app.close();
    }
  });
});
