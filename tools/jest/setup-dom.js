import '@testing-library/jest-dom/jest-globals';

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

// jsdom lays nothing out (every clientWidth is 0), so PatternFly's Page would think it is on a phone
// and collapse the navigation. Test as a 1440px desktop.
Object.defineProperty(window, 'innerWidth', { configurable: true, value: 1440 });
Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1440 });
