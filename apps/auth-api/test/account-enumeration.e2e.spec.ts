import { PASSWORD, startAuthApi, type TestAuthApi, uniqueEmail } from './harness';
import { settled, TestSmtpServer } from './mail-harness';

const SAMPLES = 40;
const KNOWN_ACCOUNTS = 4;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * A side channel, asserted robustly: the two kinds of request alternate (in a shuffled order per
 * pair, so neither always follows the other), each is timed from request to full answer, and the
 * work the answer left for later is let finish before the next one, so that one sample's mail does
 * not land in the next sample's time. Medians, not means: one GC pause must not decide.
 */
describe('auth-api: reset and verification requests do not tell which emails have accounts', () => {
  let api: TestAuthApi;
  const smtp = new TestSmtpServer();
  const known: string[] = [];
  let base = '';

  beforeAll(async () => {
    api = await startAuthApi({ SMTP_URL: await smtp.start() });
    // One listening socket and fetch's kept-alive connection: no per-request server start-up noise.
    await api.app.listen(0, '127.0.0.1');
    base = await api.app.getUrl();
    for (let i = 0; i < KNOWN_ACCOUNTS; i += 1) {
      const email = uniqueEmail('known');
      await api.http().post('/auth/register').send({ email, password: PASSWORD }).expect(201);
      known.push(email);
    }
    await settled(api);
  });
  afterAll(async () => {
    await api.close();
    await smtp.stop();
  });

  async function timed(url: string, email: string) {
    const start = process.hrtime.bigint();
    const res = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    const body = await res.text();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    await settled(api);
    // The SMTP session's QUIT and the test server's parsing finish after the send resolves.
    await new Promise((resolve) => setTimeout(resolve, 10));
    return { ms, status: res.status, body, type: res.headers.get('content-type') };
  }

  it.each(['/auth/password-reset', '/auth/verify-email/resend'])(
    '%s: same status and body (and, with ACCOUNT_TIMING=1, median time within 25%%)',
    async (url) => {
      const before = smtp.messages.length;
      const times = { known: [] as number[], unknown: [] as number[] };
      const answers = new Set<string>();
      for (let i = 0; i < SAMPLES + 5; i += 1) {
        const pair = [
          ['known', known[i % known.length]],
          ['unknown', uniqueEmail('nobody')],
        ] as const;
        const order = Math.random() < 0.5 ? pair : ([pair[1], pair[0]] as const);
        for (const [kind, email] of order) {
          const { ms, status, body, type } = await timed(url, email);
          answers.add(JSON.stringify({ status, body, type }));
          // The first five pairs warm up (JIT, prepared statements, the SMTP connection).
          if (i >= 5) times[kind].push(ms);
        }
      }
      expect([...answers]).toEqual([
        JSON.stringify({
          status: 202,
          body: '{"message":"if an account uses this address, a message is on its way"}',
          type: 'application/json; charset=utf-8',
        }),
      ]);
      // The known accounts did get mail (the cap of 5 an hour each): the work really happened.
      expect(smtp.messages.length).toBeGreaterThan(before);
      // The timing comparison is opt-in (ACCOUNT_TIMING=1): on a shared 2-core machine the 1-3 ms
      // medians moved apart by up to 2 ms between runs of the same code, so it cannot gate CI yet.
      if (process.env.ACCOUNT_TIMING === '1') {
        const [a, b] = [median(times.known), median(times.unknown)];
        expect(Math.max(a, b) / Math.min(a, b)).toBeLessThanOrEqual(1.25);
      }
    },
  );
});
