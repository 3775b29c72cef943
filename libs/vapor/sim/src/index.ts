export * from './world.js';
export * from './sim-host.js';
export * from './rng.js';
export * from './catalog.js';
export * from './consoles.js';
