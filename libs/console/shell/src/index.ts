export { ConsoleApp, createQueryClient } from './ConsoleApp.js';
export { consoleRoutes } from './routes.js';
export { sections } from './layout/navigation.js';
export { DARK_THEME_CLASS, useOsColorScheme } from './theme/use-os-color-scheme.js';
