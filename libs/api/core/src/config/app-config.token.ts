/** Injection token of the validated, frozen configuration read once at boot. */
export const APP_CONFIG = Symbol('APP_CONFIG');
