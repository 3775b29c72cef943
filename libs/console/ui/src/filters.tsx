import { FormSelect, FormSelectOption, SearchInput } from '@patternfly/react-core';
import { useEffect, useEffectEvent, useState, type ReactNode } from 'react';

/** How long typing pauses before a text filter asks the server. */
export const TEXT_FILTER_DELAY_MS = 300;

/** One filter of a list's toolbar; `name` is its search parameter and what the list's query gets. */
export type ListFilter =
  | { kind: 'text'; name: string; label: string; placeholder?: string }
  | {
      kind: 'select';
      name: string;
      label: string;
      /** The option that sets no filter ("All states"). */
      anyLabel: string;
      options: readonly { value: string; label: string }[];
    }
  | {
      /** A filter the feature draws itself (a host picker, say). */
      kind: 'custom';
      name: string;
      label: string;
      render: (value: string, onChange: (value: string) => void) => ReactNode;
    };

/**
 * A "contains" text filter: the box follows the typing at once, the list (and the URL) once typing
 * pauses or on Enter; it shows a value set from elsewhere (cleared filters, a link) too.
 */
export function TextFilter({
  value,
  label,
  placeholder,
  onChange,
}: {
  value: string;
  label: string;
  placeholder?: string;
  onChange: (value: string) => void;
}) {
  const [text, setText] = useState(value);
  /** The value last seen from outside, and the one this box last sent. */
  const [seen, setSeen] = useState(value);
  const [sent, setSent] = useState<string | null>(null);
  if (value !== seen) {
    setSeen(value);
    // Set from elsewhere (filters cleared, a link): show it. What this box sent coming back is
    // not: the typing has gone on meanwhile.
    if (value !== sent) setText(value);
  }
  const send = (next: string) => {
    setSent(next);
    onChange(next);
  };
  const sendLater = useEffectEvent(send);
  useEffect(() => {
    if (text.trim() === value) return undefined;
    const timer = setTimeout(() => sendLater(text.trim()), TEXT_FILTER_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <SearchInput
      aria-label={label}
      placeholder={placeholder ?? label}
      value={text}
      onChange={(_event, next) => setText(next)}
      onSearch={(_event, next) => send(next.trim())}
      onClear={() => (setText(''), send(''))}
    />
  );
}

export function SelectFilter({
  value,
  label,
  anyLabel,
  options,
  onChange,
}: {
  value: string;
  label: string;
  anyLabel: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <FormSelect aria-label={label} value={value} onChange={(_event, next) => onChange(next)}>
      <FormSelectOption value="" label={anyLabel} />
      {options.map((option) => (
        <FormSelectOption key={option.value} value={option.value} label={option.label} />
      ))}
    </FormSelect>
  );
}

export function FilterControl({
  filter,
  value,
  onChange,
}: {
  filter: ListFilter;
  value: string;
  onChange: (value: string) => void;
}) {
  switch (filter.kind) {
    case 'text':
      return <TextFilter value={value} label={filter.label} placeholder={filter.placeholder} onChange={onChange} />;
    case 'select':
      return (
        <SelectFilter
          value={value}
          label={filter.label}
          anyLabel={filter.anyLabel}
          options={filter.options}
          onChange={onChange}
        />
      );
    case 'custom':
      return <>{filter.render(value, onChange)}</>;
  }
}
