#!/usr/bin/env node
// A guided tour of both services (`npm run demo`, against what `npm start` runs): register, log in,
// get refused, be promoted by an admin, refresh into the new role, write, log out. Every step checks
// its status; the first surprise stops the tour with the response body and exit code 1.
import { randomBytes } from 'node:crypto';

import { followArticles, followOverSocketIo } from './demo-live.mjs';

const AUTH_URL = (process.env.AUTH_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const RESOURCE_URL = (process.env.RESOURCE_URL || 'http://127.0.0.1:3001').replace(/\/+$/, '');
const { ADMIN_EMAIL, ADMIN_PASSWORD } = process.env;

const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code, text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
const services = {
  auth: { name: 'auth-api', url: AUTH_URL },
  resource: { name: 'resource-api', url: RESOURCE_URL },
};

if (!ADMIN_EMAIL || !ADMIN_PASSWORD) {
  console.error(`The demo promotes a user to editor, which takes an admin account.
Start the services with one (it is created at start if no user has that email):

  ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD='a long passphrase' npm start

then, in another terminal, run the demo with the same credentials:

  ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD='a long passphrase' npm run demo

(AUTH_URL and RESOURCE_URL point the demo elsewhere; defaults ${AUTH_URL} and ${RESOURCE_URL}.)`);
  process.exit(1);
}

/** Sends one request, prints one aligned line, and stops the tour unless the status is the expected one. */
async function step(
  expected,
  service,
  method,
  path,
  { token, body, describe, hint, accept = () => true } = {},
) {
  const { name, url } = services[service];
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  // Ids are abbreviated so the columns stay aligned.
  const shownPath = path.replace(/([0-9a-f]{8})-[0-9a-f-]{27}/g, '$1…');
  const where = `${method.padEnd(6)} ${name.padEnd(12)} ${shownPath.padEnd(18)}`;
  let response;
  try {
    response = await fetch(url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    console.log(
      `${paint('31', '✘')} ${paint('31', '---')} ${where} ${(error.cause ?? error).message}`,
    );
    console.error(`\n${name} is not reachable at ${url}. Is \`npm start\` running?`);
    process.exit(1);
  }
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (response.status !== expected || !accept(json)) {
    console.log(
      `${paint('31', '✘')} ${paint('31', String(response.status))} ${where} expected ${expected}${response.status === expected ? ', and another answer' : ''}`,
    );
    console.error(
      `\nResponse body:\n${json === undefined ? text || '(empty)' : JSON.stringify(json, null, 2)}`,
    );
    if (hint) console.error(`\n${hint}`);
    process.exit(1);
  }
  const detail = describe ? describe(json) : '';
  console.log(
    `${paint('32', '✔')} ${paint('1', String(response.status))} ${where} ${paint('2', detail)}`,
  );
  return json;
}

/** The claims of a JWT, for showing what a token says (the services verify it; we only read it). */
function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

const email = `demo-${Date.now()}-${randomBytes(3).toString('hex')}@example.com`;
const password = randomBytes(18).toString('base64url');
const roles = (list) => `roles: ${list.join(', ')}`;

console.log(`Tour of ${AUTH_URL} (auth-api) and ${RESOURCE_URL} (resource-api)\n`);

// 1. A new user signs up and logs in.
const user = await step(201, 'auth', 'POST', '/auth/register', {
  body: { email, password },
  describe: (u) => u.email,
});
let tokens = await step(200, 'auth', 'POST', '/auth/login', {
  body: { email, password },
  describe: (t) =>
    `${t.token_type} token, expires in ${t.expires_in} s, ${roles(claimsOf(t.access_token).roles)}`,
});

// 2. The resource server trusts the token, but a plain user may not write.
await step(200, 'resource', 'GET', '/me', {
  token: tokens.access_token,
  describe: (me) => `sub ${me.sub}, ${roles(me.roles)}`,
});
await step(403, 'resource', 'POST', '/articles', {
  token: tokens.access_token,
  body: { title: 'Hello', body: 'Not yet.' },
  describe: (e) => `${e.error}: ${e.message}`,
});

// 3. An admin promotes the user to editor.
const admin = await step(200, 'auth', 'POST', '/auth/login', {
  body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  describe: () => `admin ${ADMIN_EMAIL}`,
  hint: 'ADMIN_EMAIL and ADMIN_PASSWORD must be the ones auth-api was started with (the admin is created only once).',
});
await step(200, 'auth', 'GET', `/users/${user.id}`, {
  token: admin.access_token,
  describe: (u) => `${u.email}, ${roles(u.roles)}`,
});
await step(200, 'auth', 'PATCH', `/users/${user.id}`, {
  token: admin.access_token,
  body: { roles: ['editor'] },
  describe: (u) => roles(u.roles),
});

// 4. The user's current token still says "user"; the next refreshed one carries the new role.
const oldRefreshToken = tokens.refresh_token;
const oldAccessToken = tokens.access_token;
tokens = await step(200, 'auth', 'POST', '/auth/refresh', {
  body: { refresh_token: oldRefreshToken },
  describe: (t) => `new token pair, ${roles(claimsOf(t.access_token).roles)}`,
});
const article = await step(201, 'resource', 'POST', '/articles', {
  token: tokens.access_token,
  body: { title: 'Hello', body: 'Written by an editor.' },
  describe: (a) => `article ${a.id}`,
});
await step(200, 'resource', 'GET', '/articles', {
  describe: (list) =>
    `${list.length} article(s), ours ${list.some((a) => a.id === article.id) ? 'included' : 'missing'}`,
});

// 5. The same roles over GraphQL: the old token (user) may not create, the new one (editor) may;
// a subscription opened with the token sees the article arrive.
const CREATE = 'mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id } }';
const graphqlError = (result) => result?.errors?.[0]?.extensions;
await step(200, 'resource', 'POST', '/graphql', {
  token: oldAccessToken,
  body: { query: CREATE, variables: { input: { title: 'Hi', body: 'Not with this token.' } } },
  accept: (result) => graphqlError(result)?.code === 'FORBIDDEN',
  describe: (result) =>
    `createArticle, old token: ${graphqlError(result).code} (${graphqlError(result).error})`,
});
const feed = await followArticles(RESOURCE_URL, tokens.access_token);
const socket = await followOverSocketIo(RESOURCE_URL, tokens.access_token);
const live = await step(200, 'resource', 'POST', '/graphql', {
  token: tokens.access_token,
  body: { query: CREATE, variables: { input: { title: 'Live', body: 'Over GraphQL.' } } },
  accept: (result) => typeof result?.data?.createArticle?.id === 'string',
  describe: (result) => `createArticle, new token: article ${result.data.createArticle.id}`,
});
/** One line per live channel that saw the article. */
async function arrived(channel, method, path, wait, articleOf) {
  try {
    const article = articleOf(await wait);
    if (article.id !== live.data.createArticle.id) throw new Error('another article arrived');
    console.log(
      `${paint('32', '✔')} ${paint('1', 'ws ')} ${method.padEnd(6)} ${'resource-api'.padEnd(12)} ${path.padEnd(18)} ${paint('2', `${channel}: "${article.title}" by ${article.authorId}`)}`,
    );
  } catch (error) {
    console.error(`\n${channel} failed: ${error.message}`);
    process.exit(1);
  }
}
await arrived('articleCreated', 'SUB', '/graphql', feed.next(), (event) => event.articleCreated);
await arrived('socket.io feed', 'EVENT', '/socket.io', socket.next(), (article) => article);
await feed.close();
socket.close();

// 6. Logging out ends the session: its refresh token is dead.
await step(204, 'auth', 'POST', '/auth/logout', {
  token: tokens.access_token,
  body: { refresh_token: tokens.refresh_token },
  describe: () => 'session revoked',
});
await step(401, 'auth', 'POST', '/auth/refresh', {
  body: { refresh_token: tokens.refresh_token },
  describe: (e) => `${e.error}: the session is over`,
});

console.log(`\n${paint('32', 'Tour complete.')} (${email} stays registered.)`);
