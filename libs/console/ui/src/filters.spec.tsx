import { describe, expect, it } from '@jest/globals';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { TextFilter } from './filters.js';

/** A list whose filter reaches it `lagMs` after the box sends it, as a busy page's URL update does. */
function LaggingList({ lagMs }: { lagMs: number }) {
  const [value, setValue] = useState('');
  return (
    <>
      <TextFilter value={value} label="Filter by name" onChange={(next) => setTimeout(() => setValue(next), lagMs)} />
      <button onClick={() => setValue('')}>Clear all filters</button>
      <p>Filtered by: {value || 'nothing'}</p>
    </>
  );
}

describe('TextFilter', () => {
  it('loses no keystroke when what it sent comes back while typing goes on', async () => {
    // A pause longer than the filter's delay after each key: every prefix is sent, and arrives late.
    const user = userEvent.setup({ delay: 450 });
    render(<LaggingList lagMs={250} />);
    await user.type(screen.getByRole('textbox', { name: 'Filter by name' }), 'web');
    expect(await screen.findByText('Filtered by: web')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Filter by name' })).toHaveValue('web');
  });

  it('shows a value set from elsewhere, such as the filters cleared', async () => {
    const user = userEvent.setup();
    render(<LaggingList lagMs={0} />);
    await user.type(screen.getByRole('textbox', { name: 'Filter by name' }), 'db');
    expect(await screen.findByText('Filtered by: db')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Clear all filters' }));
    await waitFor(() => expect(screen.getByRole('textbox', { name: 'Filter by name' })).toHaveValue(''));
    expect(screen.getByText('Filtered by: nothing')).toBeInTheDocument();
  });
});
