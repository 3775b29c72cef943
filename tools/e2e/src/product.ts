/**
 * The e2e agents listen on loopback, which a production Cockpit refuses to enroll by default
 * (HOST_ENROLL_DENY_NETWORKS): the tests deny only link-local, as an operator whose agents share
 * the machine would.
 */
export const AGENTS_ON_LOOPBACK = '169.254.0.0/16, fe80::/10';
