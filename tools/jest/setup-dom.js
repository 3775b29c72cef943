import '@testing-library/jest-dom/jest-globals';
import 'reflect-metadata';

// jsdom has no matchMedia; the console follows the OS colour scheme through it.
if (!window.matchMedia) {
  window.matchMedia = (query) => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    addListener: () => undefined,
    removeListener: () => undefined,
    dispatchEvent: () => false,
  });
}
