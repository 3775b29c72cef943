import { BlockList } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((raw, ctx) => {
      const value = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || value > 65535) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from 0 to 65535 (0 picks a free port), got "${raw}"`,
        });
        return z.NEVER;
      }
      return value;
    });

const retention = (name: string, fallback: number, max: number) =>
  z.coerce
    .number()
    .int(`${name} must be a whole number`)
    .min(1, `${name} must be at least 1`)
    .max(max, `${name} must be at most ${max}`)
    .default(fallback);

/** `10.0.0.0/8, fe80::/10`: each entry an IPv4 or IPv6 network; `none` for no entries. */
const networkList = (name: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      if (raw.trim() === 'none') return [];
      const entries = raw
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      for (const entry of entries) {
        const [address = '', prefix] = entry.split('/');
        const family = address.includes(':') ? 'ipv6' : 'ipv4';
        try {
          new BlockList().addSubnet(address, Number(prefix ?? (family === 'ipv6' ? 128 : 32)), family);
        } catch {
          ctx.addIssue({ code: 'custom', message: `${name}: "${entry}" is not a network such as 169.254.0.0/16 or fe80::/10` });
          return z.NEVER;
        }
      }
      return entries;
    });

/** Never enrolled unless the operator says otherwise: link-local (cloud metadata at 169.254.169.254). */
const DEFAULT_ENROLL_DENY = ['169.254.0.0/16', 'fe80::/10'];
/** In production also loopback: the api's own machine is not a hypervisor host. */
const PRODUCTION_ENROLL_DENY = ['127.0.0.0/8', '::1/128'];

const postgresUrl = z
  .string()
  .refine(
    (raw) => {
      try {
        return ['postgres:', 'postgresql:'].includes(new URL(raw).protocol);
      } catch {
        return false;
      }
    },
    { message: 'DATABASE_URL must look like postgres://user:password@host:5432/database' },
  )
  .optional();

/**
 * Every setting Cockpit reads from the environment. Read once at boot; a bad value stops start-up
 * with one line naming the variable and what it accepts.
 */
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port('PORT', 8080),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: postgresUrl,
    DATA_DIR: z.string().min(1).default('.data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/, message: 'PUBLIC_URL must be an http(s) URL such as https://cockpit.example.com' })
      .optional(),
    INSTANCE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'INSTANCE_ID may use letters, digits, ".", "_" and "-" (at most 64)')
      .optional(),
    CONSOLE_DIR: z.string().min(1).optional(),
    COCKPIT_ADMIN_PASSWORD: z.string().min(12, 'COCKPIT_ADMIN_PASSWORD must be at least 12 characters').max(1024).optional(),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1, 'SESSION_IDLE_MINUTES must be at least 1')
      .max(24 * 60)
      .default(15),
    SESSION_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1, 'SESSION_MAX_HOURS must be at least 1')
      .max(24 * 30)
      .default(12),
    /** Production refuses a plain-http PUBLIC_URL unless this says the operator means it. */
    ALLOW_INSECURE_HTTP: z
      .enum(['true', 'false'], { message: 'ALLOW_INSECURE_HTTP must be true or false' })
      .default('false')
      .transform((raw) => raw === 'true'),
    COCKPIT_SECRET_KEY: z
      .string()
      .refine((raw) => /^[A-Za-z0-9+/]{43}=$/.test(raw.trim()), {
        message: 'COCKPIT_SECRET_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`)',
      })
      .optional(),
    HOST_ENROLL_DENY_NETWORKS: networkList('HOST_ENROLL_DENY_NETWORKS'),
    METRICS_RAW_RETENTION_HOURS: retention('METRICS_RAW_RETENTION_HOURS', 24, 24 * 31),
    METRICS_1M_RETENTION_DAYS: retention('METRICS_1M_RETENTION_DAYS', 30, 366),
    METRICS_1H_RETENTION_DAYS: retention('METRICS_1H_RETENTION_DAYS', 365, 3660),
    JOBS_HEARTBEAT_SECONDS: z.coerce
      .number()
      .int()
      .min(10, 'JOBS_HEARTBEAT_SECONDS must be at least 10 (pg-boss does not take less)')
      .max(600)
      .default(10),
    JOBS_PER_INSTANCE: z.coerce.number().int().min(1, 'JOBS_PER_INSTANCE must be at least 1').max(64).default(4),
    MIGRATIONS_OUTBOUND_PER_HOST: z.coerce
      .number()
      .int()
      .min(1, 'MIGRATIONS_OUTBOUND_PER_HOST must be at least 1')
      .max(64)
      .default(2),
    MIGRATIONS_INBOUND_PER_HOST: z.coerce
      .number()
      .int()
      .min(1, 'MIGRATIONS_INBOUND_PER_HOST must be at least 1')
      .max(64)
      .default(2),
    MIGRATIONS_FLEET: z.coerce.number().int().min(1, 'MIGRATIONS_FLEET must be at least 1').max(4096).default(16),
    MIGRATIONS_STALL_SECONDS: z.coerce
      .number()
      .int()
      .min(2, 'MIGRATIONS_STALL_SECONDS must be at least 2')
      .max(86_400)
      .default(150),
    MIGRATIONS_PER_INSTANCE: z.coerce.number().int().min(1, 'MIGRATIONS_PER_INSTANCE must be at least 1').max(512).default(32),
    DEMO_FLEET_MANIFEST: z.string().min(1).optional(),
    DEMO_FLEET_HOSTS: z
      .string()
      .default('3')
      .transform((raw, ctx) => {
        const value = Number(raw);
        if (!/^\d+$/.test(raw.trim()) || value > 1000) {
          ctx.addIssue({
            code: 'custom',
            message: `DEMO_FLEET_HOSTS must be a whole number from 0 (none) to 1000, got "${raw}"`,
          });
          return z.NEVER;
        }
        return value;
      }),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    const publicUrl = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
    if (publicUrl.startsWith('http:') && !env.ALLOW_INSECURE_HTTP) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: `PUBLIC_URL ${publicUrl}${env.PUBLIC_URL ? '' : ' (the default)'} is plain http: in production serve Cockpit over https (PUBLIC_URL=https://...) or set ALLOW_INSECURE_HTTP=true to accept that sessions travel in clear`,
      });
    }
    if (!env.COCKPIT_SECRET_KEY) {
      // The DATA_DIR/secret.key fallback is for a single development instance only.
      ctx.addIssue({
        code: 'custom',
        path: ['COCKPIT_SECRET_KEY'],
        message:
          'COCKPIT_SECRET_KEY must be set in production, the same for every instance (`openssl rand -base64 32`); the DATA_DIR/secret.key fallback is for development',
      });
    }
  })
  .transform((env) => {
    const dataDir = path.resolve(env.DATA_DIR);
    return {
      nodeEnv: env.NODE_ENV,
      port: env.PORT,
      host: env.HOST,
      databaseUrl: env.DATABASE_URL,
      dataDir,
      logLevel: env.LOG_LEVEL,
      /** Where browsers reach Cockpit; drives Origin checks and cookie security. */
      publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
      publicUrlExplicit: env.PUBLIC_URL !== undefined,
      /** Production on plain http was asked for explicitly (ALLOW_INSECURE_HTTP=true). */
      allowInsecureHttp: env.ALLOW_INSECURE_HTTP,
      instanceId: env.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
      /** Built console to serve; none means the api serves only the API. */
      consoleDir: env.CONSOLE_DIR ? path.resolve(env.CONSOLE_DIR) : undefined,
      /** Password of the first admin, created on first start; generated (and printed once) when unset. */
      adminPassword: env.COCKPIT_ADMIN_PASSWORD,
      sessionIdleSeconds: env.SESSION_IDLE_MINUTES * 60,
      sessionMaxSeconds: env.SESSION_MAX_HOURS * 3600,
      /** Key that seals secrets at rest (unset outside production: DATA_DIR/secret.key, created at first start). */
      secretKey: env.COCKPIT_SECRET_KEY ? Buffer.from(env.COCKPIT_SECRET_KEY.trim(), 'base64') : undefined,
      /** Networks hosts may not be enrolled from (their URL's addresses are checked before any connection). */
      enrollDenyNetworks:
        env.HOST_ENROLL_DENY_NETWORKS ??
        (env.NODE_ENV === 'production' ? [...DEFAULT_ENROLL_DENY, ...PRODUCTION_ENROLL_DENY] : DEFAULT_ENROLL_DENY),
      /** How long stats history is kept at each resolution (older partitions are dropped). */
      metricsRetention: {
        rawMs: env.METRICS_RAW_RETENTION_HOURS * 3_600_000,
        oneMinuteMs: env.METRICS_1M_RETENTION_DAYS * 86_400_000,
        oneHourMs: env.METRICS_1H_RETENTION_DAYS * 86_400_000,
      },
      /**
       * Durable jobs: an instance that stops heartbeating its job for this long loses it to another
       * (which resumes it); and how many jobs one instance runs at once.
       */
      jobs: { heartbeatSeconds: env.JOBS_HEARTBEAT_SECONDS, perInstance: env.JOBS_PER_INSTANCE },
      /**
       * Migrations at once: from one host, into one host, across the fleet (more wait for a slot);
       * one with no progress for `stallSeconds` is aborted; `perInstance`: migration jobs one
       * instance drives at once (running or waiting for a slot).
       */
      migrations: {
        outboundPerHost: env.MIGRATIONS_OUTBOUND_PER_HOST,
        inboundPerHost: env.MIGRATIONS_INBOUND_PER_HOST,
        fleet: env.MIGRATIONS_FLEET,
        stallSeconds: env.MIGRATIONS_STALL_SECONDS,
        perInstance: env.MIGRATIONS_PER_INSTANCE,
      },
      /** Simulated Vapor hosts `npm start` runs beside the api (0: none). */
      demoFleetHosts: env.DEMO_FLEET_HOSTS,
      /** Set by `npm start`: the demo fleet's manifest, whose hosts the api enrolls at start. */
      demoFleetManifest: env.DEMO_FLEET_MANIFEST ? path.resolve(env.DEMO_FLEET_MANIFEST) : undefined,
    };
  });

export type AppConfig = Readonly<z.output<typeof configSchema>>;

/** Names of every environment variable the config reads (the docker compose test checks against it). */
export const configVariables: readonly string[] = Object.keys(configSchema.in.shape);

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset so `PORT= npm start` behaves like no PORT at all.
  const present = Object.fromEntries(
    configVariables.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? 'config');
        return issue.message.includes(key) ? issue.message : `${key}: ${issue.message}`;
      }),
    );
  }
  return Object.freeze(parsed.data);
}
