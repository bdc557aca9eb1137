/**
 * Test users' API tokens, claimed once per server and user (trust on first use, as the walt client
 * does on first use). Raw API calls of the tests send them; `walt` runs started by the helpers get
 * them as WALT_TOKEN, so a test's raw calls and its `walt` runs act as the same user.
 */
const tokens = new Map<string, Promise<string>>();

/**
 * `base`: the API's base URL (http://127.0.0.1:<port>) or its host:port. Kept by the server's
 * identity (its certificate, in its data dir), not its address: a server restarted on the same data
 * dir (another port) still knows the names claimed before, and another server on a reused port does not.
 */
export async function userToken(base: string, user: string): Promise<string> {
  const url = base.includes('://') ? base : `http://${base}`;
  const version = (await (await getVersion(`${url}/api/v1/version`)).json()) as { id?: string };
  const key = `${version.id ?? url} ${user}`;
  let token = tokens.get(key);
  if (!token) {
    token = claim(url, user);
    tokens.set(key, token);
    token.catch(() => tokens.delete(key));
  }
  return token;
}

/**
 * GET, once more on a socket error: after a test blocked this process longer than the server's
 * keep-alive (5 s; a synchronous child process), fetch reuses a connection the server has closed
 * ("other side closed"). The request is idempotent.
 */
async function getVersion(url: string): Promise<Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (e) {
    if ((e as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw e;
    return fetch(url, { signal: AbortSignal.timeout(10_000) });
  }
}

/** Headers that authenticate `user` on the server at `base`. */
export async function authHeaders(base: string, user: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await userToken(base, user)}` };
}

async function claim(url: string, user: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/users/claim`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: user }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { token?: string; error?: { message?: string } };
  if (!body.token) throw new Error(`cannot claim a token for ${user} on ${url}: ${body.error?.message ?? res.status}`);
  return body.token;
}
