import { screen } from '@testing-library/react';

/** The text a DescriptionList gives for a term (the term must be unique on the page). */
export function described(term: string): string | null | undefined {
  const dt = screen.getByText(term, { selector: 'dt, dt *' });
  return dt.closest('.pf-v6-c-description-list__group')?.querySelector('dd')?.textContent;
}
