/** The product version, shared by api, console and agent; equals the root package.json's (a test checks). */
export const COCKPIT_VERSION = '0.1.0';
