import { afterEach, describe, expect, it } from '@jest/globals';
import { act, render } from '@testing-library/react';
import { DARK_THEME_CLASS, useOsColorScheme } from './use-os-color-scheme.js';

type Listener = (event: MediaQueryListEvent) => void;

function fakeColorScheme(initiallyDark: boolean) {
  const listeners = new Set<Listener>();
  const query = {
    matches: initiallyDark,
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_: string, listener: Listener) => listeners.add(listener),
    removeEventListener: (_: string, listener: Listener) => listeners.delete(listener),
  };
  window.matchMedia = () => query as unknown as MediaQueryList;
  return (dark: boolean) => listeners.forEach((listener) => listener({ matches: dark } as MediaQueryListEvent));
}

function Probe() {
  return <span>{useOsColorScheme()}</span>;
}

describe('useOsColorScheme', () => {
  const original = window.matchMedia;
  afterEach(() => {
    window.matchMedia = original;
    document.documentElement.classList.remove(DARK_THEME_CLASS);
  });

  it('follows the operating system, including later switches', () => {
    const setOsDark = fakeColorScheme(true);
    const { container } = render(<Probe />);
    expect(container.textContent).toBe('dark');
    expect(document.documentElement).toHaveClass(DARK_THEME_CLASS);
    act(() => setOsDark(false));
    expect(container.textContent).toBe('light');
    expect(document.documentElement).not.toHaveClass(DARK_THEME_CLASS);
  });
});
