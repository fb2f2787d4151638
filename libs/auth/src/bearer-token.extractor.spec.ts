import { AuthError } from './auth.errors';
import { extractBearerToken } from './bearer-token.extractor';

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln-_';
const extract = (authorization?: string | string[]) =>
  extractBearerToken({ headers: { authorization } });
const codeOf = (authorization: string | string[]) => {
  try {
    extract(authorization);
  } catch (error) {
    return error instanceof AuthError ? error.code : error;
  }
  return 'no error';
};

describe(extractBearerToken.name, () => {
  it.each([
    ['Bearer', `Bearer ${TOKEN}`],
    ['lowercase bearer', `bearer ${TOKEN}`],
    ['uppercase BEARER', `BEARER ${TOKEN}`],
    ['several spaces', `Bearer    ${TOKEN}`],
    ['trailing spaces', `Bearer ${TOKEN}  `],
  ])('reads the token after %s', (_, header) => {
    expect(extract(header)).toBe(TOKEN);
  });

  it('keeps b64token characters, including trailing =', () => {
    expect(extract('Bearer a~b+c/d=')).toBe('a~b+c/d=');
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['Basic credentials', 'Basic xyz'],
    ['another scheme', 'DPoP abc.def.ghi'],
    ['a scheme that only starts with Bearer', `BearerX ${TOKEN}`],
  ])('returns null for %s (no bearer credentials at all)', (_, header) => {
    expect(extract(header)).toBeNull();
  });

  it('returns null for a request without headers', () => {
    expect(extractBearerToken({})).toBeNull();
  });

  it.each([
    ['Bearer alone', 'Bearer'],
    ['Bearer and spaces', 'Bearer   '],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['a tab separator', `Bearer\t${TOKEN}`],
    ['characters outside b64token', 'Bearer abc%def'],
    ['padding in the middle', 'Bearer ab=cd'],
    ['quotes', `Bearer "${TOKEN}"`],
  ])('throws ERR_TOKEN_MALFORMED for %s', (_, header) => {
    expect(codeOf(header)).toBe('ERR_TOKEN_MALFORMED');
  });

  it('throws ERR_TOKEN_MALFORMED for several Authorization headers', () => {
    expect(codeOf([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`])).toBe('ERR_TOKEN_MALFORMED');
    expect(codeOf([`Bearer ${TOKEN}`])).toBe('ERR_TOKEN_MALFORMED');
  });

  it('does not read tokens from the query string or body', () => {
    const request = { headers: {}, query: { access_token: TOKEN }, body: { access_token: TOKEN } };
    expect(extractBearerToken(request)).toBeNull();
  });
});
