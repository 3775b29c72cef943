/**
 * The surface a Cockpit plugin may use. A plugin is an npm package whose default export is the
 * result of `definePlugin`; the api loads enabled plugins at start-up. Plugins may import only this
 * package and `@cockpit/contracts` (enforced by the module-boundary lint rule).
 *
 * Today this declares the manifest; routes, event hooks, trigger actions and console pages are
 * added to it by the plugins issue.
 */
export interface CockpitPluginManifest {
  /** Lower-case, dash-separated, unique among plugins: used in URLs (`/api/plugins/<name>`) and logs. */
  name: string;
  version: string;
  description: string;
}

const NAME = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

/** Checks a plugin manifest and freezes it; a bad manifest fails at load with a message saying why. */
export function definePlugin<T extends CockpitPluginManifest>(manifest: T): Readonly<T> {
  if (!NAME.test(manifest.name)) {
    throw new Error(`Plugin name "${manifest.name}" must be 3-40 lower-case letters, digits or dashes, starting with a letter`);
  }
  if (!SEMVER.test(manifest.version)) {
    throw new Error(`Plugin ${manifest.name}: version "${manifest.version}" is not a semantic version like 1.2.3`);
  }
  if (!manifest.description.trim()) throw new Error(`Plugin ${manifest.name}: description is empty`);
  return Object.freeze({ ...manifest });
}
