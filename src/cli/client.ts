import fs from 'node:fs';
import path from 'node:path';

/**
 * The CLI's view of a running Roster server: the REST API with an API token, as any script would
 * use it. Errors come back as the server's own `{code, message}`.
 */
export interface ServerOptions {
  url?: string;
  token?: string;
}

export class ApiClient {
  readonly base: string;
  private readonly token: string;

  constructor(opts: ServerOptions) {
    const url = opts.url ?? process.env.ROSTER_URL ?? 'http://127.0.0.1:3000';
    const token = opts.token ?? process.env.ROSTER_TOKEN;
    if (!token) {
      throw new Error(
        'Give an API token with --token or ROSTER_TOKEN (create one in the console or with POST /api/v1/tokens).',
      );
    }
    this.base = url.replace(/\/+$/, '');
    this.token = token;
  }

  async request(method: string, route: string, body?: unknown | FormData): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body !== undefined && !(body instanceof FormData) && { 'content-type': 'application/json' }),
        },
        ...(body !== undefined && { body: body instanceof FormData ? body : JSON.stringify(body) }),
      });
    } catch (e) {
      throw new Error(
        `Cannot reach Roster at ${this.base} (${(e as Error).cause ?? (e as Error).message}). Is it running? Set --url or ROSTER_URL.`,
      );
    }
    if (!res.ok) {
      const text = await res.text();
      let message = text;
      try {
        const err = JSON.parse(text) as { code?: string; message?: string };
        message = `${err.message} [${err.code}]`;
      } catch {
        // not JSON: keep the text
      }
      throw new Error(message);
    }
    return res;
  }

  async json<T>(method: string, route: string, body?: unknown | FormData): Promise<T> {
    return (await (await this.request(method, route, body)).json()) as T;
  }

  async download(route: string, to: string): Promise<string> {
    const res = await this.request('GET', route);
    fs.mkdirSync(path.dirname(path.resolve(to)), { recursive: true });
    fs.writeFileSync(to, Buffer.from(await res.arrayBuffer()));
    return to;
  }
}
