import { z } from 'zod';

/** Settings of a Vapor agent process from the environment; command-line flags override them. */
export const vaporConfigSchema = z.object({
  VAPOR_PORT: z.coerce.number().int().min(0).max(65535).default(9443),
  VAPOR_HOST: z.string().min(1).default('127.0.0.1'),
  VAPOR_DATA_DIR: z.string().min(1).default('.data/vapor'),
  VAPOR_TOKEN: z.string().min(16, 'VAPOR_TOKEN must be at least 16 characters').optional(),
});
export type VaporConfig = z.output<typeof vaporConfigSchema>;

export const vaporConfigVariables: readonly string[] = Object.keys(vaporConfigSchema.shape);

export function loadVaporConfig(env: NodeJS.ProcessEnv = process.env): VaporConfig {
  const present = Object.fromEntries(vaporConfigVariables.filter((key) => env[key]).map((key) => [key, env[key]]));
  const parsed = vaporConfigSchema.safeParse(present);
  if (!parsed.success) {
    throw new Error(
      `Invalid configuration: ${parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
