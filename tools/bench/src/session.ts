/** A signed-in client: session cookie and CSRF token. */
export class Session {
  cookie = '';
  csrf = '';
  constructor(private readonly base: string) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(this.csrf ? { 'X-CSRF-Token': this.csrf } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
    if (cookie) this.cookie = cookie;
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
  }

  async login(username: string, password: string): Promise<void> {
    const answer = await this.call('POST', '/api/auth/login', { username, password });
    if (answer.status !== 200) throw new Error(`sign-in of ${username} answered ${answer.status}`);
    this.csrf = (answer.json as { csrfToken: string }).csrfToken;
  }
}
