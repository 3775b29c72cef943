import { useEffect, useState } from 'react';

const DARK = '(prefers-color-scheme: dark)';
/** PatternFly 6 switches every component to its dark palette with this class on <html>. */
export const DARK_THEME_CLASS = 'pf-v6-theme-dark';

/** Follows the operating system's light/dark preference, live, and applies it to PatternFly. */
export function useOsColorScheme(): 'dark' | 'light' {
  const [dark, setDark] = useState(() => window.matchMedia(DARK).matches);
  useEffect(() => {
    const query = window.matchMedia(DARK);
    const onChange = (event: MediaQueryListEvent) => setDark(event.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  useEffect(() => {
    document.documentElement.classList.toggle(DARK_THEME_CLASS, dark);
  }, [dark]);
  return dark ? 'dark' : 'light';
}
