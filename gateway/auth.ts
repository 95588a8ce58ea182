/**
 * Authentication and authorization: login (scrypt), signed tokens, API keys for ingest, the
 * anonymous wall-screen viewer, a per-IP login rate limit (@fastify/rate-limit, registered by
 * http_basics.ts), and the `authenticate` / `requireRole`
 * decorators every route uses. Principal resolution is shared with Socket.IO's handshake.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Access, Role } from '../config/access.js';
import { CadreError } from '../shared/errors.js';
import { hashPassword, randomSecret, verifyPassword } from '../shared/passwords.js';
import { apiKeyAuthenticator, bearerToken } from '../config/api_keys.js';
import { formatTime } from '../shared/time.js';
import fp from 'fastify-plugin';
import { ANONYMOUS_VIEWER, READER_ROLES, type Principal } from './principal.js';
import { TokenSigner } from './tokens.js';

export type AccessUser = Access['users'][number];

export interface AuthOptions {
  access: Access;
  /** Users beyond access.yaml (the demo users the app generates on first start). */
  extraUsers?: AccessUser[];
  secret: Buffer;
  now: () => number;
  /** Login attempts per IP per window; default 10 a minute. */
  loginRateLimit?: { max: number; windowMs: number };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves the caller (401 when it cannot); readers may be anonymous when anonymousViewer is on. */
    authenticate: preHandlerAsyncHookHandler;
    /** Authenticates, then 403 unless the caller has one of the roles. */
    requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
    /** The shared resolver, for Socket.IO's handshake. */
    authenticator: Authenticator;
  }
  interface FastifyRequest {
    principal: Principal;
  }
}

/** The result of looking at presented credentials. */
export type Resolution = { ok: true; principal: Principal } | { ok: false; reason: string };

export class Authenticator {
  private readonly signer: TokenSigner;
  private readonly apiKey: (key: string) => Principal | undefined;
  private readonly users: Map<string, AccessUser>;
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly options: AuthOptions) {
    this.signer = new TokenSigner(options.secret);
    this.apiKey = apiKeyAuthenticator(options.access);
    this.users = new Map([...options.access.users, ...(options.extraUsers ?? [])].map((u) => [u.name, u]));
  }

  get anonymousViewer(): boolean {
    return this.options.access.anonymousViewer;
  }

  /** A bearer credential (token or API key), or none; `allowAnonymous` when the operation is a read. */
  resolve(credential: string | undefined, allowAnonymous: boolean): Resolution {
    if (!credential) {
      return allowAnonymous && this.anonymousViewer
        ? { ok: true, principal: ANONYMOUS_VIEWER }
        : { ok: false, reason: 'credentials required' };
    }
    // Signed tokens always hold one dot; API keys are random strings without one.
    if (!credential.includes('.')) {
      const key = this.apiKey(credential);
      if (key) return { ok: true, principal: key };
    }
    const check = this.signer.verify(credential, this.options.now());
    if (!check.ok) return { ok: false, reason: `token ${check.problem}` };
    // The user as configured now, not as the token remembers: a removed user or a changed role
    // takes effect at once instead of when the token expires.
    const user = this.users.get(check.payload.sub);
    if (!user || user.role !== check.payload.role) return { ok: false, reason: 'token revoked' };
    return { ok: true, principal: { name: user.name, role: user.role, cities: user.cities ?? [] } };
  }

  /** The user with this name and password, or undefined (as slow for an unknown name as for a bad password). */
  async login(name: string, password: string): Promise<AccessUser | undefined> {
    const user = this.users.get(name);
    if (!user) {
      await verifyPassword(password, await (this.dummyHash ??= hashPassword(randomSecret())));
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }

  issue(user: AccessUser): { token: string; expiresAt: string } {
    const exp = Math.floor((this.options.now() + this.options.access.tokenTtl) / 1000);
    const token = this.signer.sign({ sub: user.name, role: user.role, cities: user.cities ?? [], exp });
    return { token, expiresAt: formatTime(exp * 1000) };
  }
}

const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 256 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});

async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const authenticator = new Authenticator(options);
  const limit = options.loginRateLimit ?? { max: 10, windowMs: 60_000 };

  app.decorate('authenticator', authenticator);
  app.decorateRequest('principal', null as unknown as Principal);

  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const credential = bearerToken(request.headers.authorization);
    if (credential === '')
      throw new CadreError('CADRE_ERR_UNAUTHORIZED', 'Authorization must be "Bearer <token>"');
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    const found = authenticator.resolve(credential, isRead);
    if (!found.ok)
      throw new CadreError('CADRE_ERR_UNAUTHORIZED', `Missing or invalid credentials: ${found.reason}`);
    request.principal = found.principal;
  };
  app.decorate('authenticate', authenticate);
  app.decorate('requireRole', (...roles: Role[]) => async (request: FastifyRequest) => {
    await authenticate(request);
    if (roles.includes(request.principal.role)) return;
    // An anonymous screen asking for more than reading is told to log in, not that it is forbidden.
    if (request.principal.anonymous) throw new CadreError('CADRE_ERR_UNAUTHORIZED', 'Log in to do this');
    throw new CadreError('CADRE_ERR_FORBIDDEN', `Role ${request.principal.role} may not do this`);
  });

  app.post<{ Body: Static<typeof LoginBody> }>(
    '/api/login',
    {
      schema: { body: LoginBody },
      // Per client address (request.ip: X-Forwarded-For only with trustProxy), before the body is read.
      config: { rateLimit: { max: limit.max, timeWindow: limit.windowMs } },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const user = await authenticator.login(username, password);
      if (!user) {
        request.log.info({ audit: { action: 'login', user: username, ok: false } }, 'login refused');
        throw new CadreError('CADRE_ERR_UNAUTHORIZED', 'Unknown user or wrong password');
      }
      request.log.info({ audit: { action: 'login', user: username, ok: true } }, 'login');
      const { token, expiresAt } = authenticator.issue(user);
      return reply.send({ token, role: user.role, cities: user.cities ?? [], name: user.name, expiresAt });
    },
  );

  app.get('/api/me', async (request: FastifyRequest, reply: FastifyReply) => {
    const found = authenticator.resolve(bearerToken(request.headers.authorization) || undefined, false);
    if (!found.ok)
      throw new CadreError('CADRE_ERR_UNAUTHORIZED', `Missing or invalid credentials: ${found.reason}`);
    const { name, role, cities } = found.principal;
    return reply.send({ name, role, cities });
  });
}

/** Not encapsulated: its decorators serve the routes of every other plugin. */
export const auth = fp(authPlugin, { name: 'cadre-auth' });

/** The roles that read (events, grids, scorecards, topology). */
export const READERS = READER_ROLES as Role[];
