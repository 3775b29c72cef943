import {
  Button,
  MenuToggle,
  Select,
  SelectList,
  SelectOption,
  TextInputGroup,
  TextInputGroupMain,
  TextInputGroupUtilities,
  type MenuToggleElement,
} from '@patternfly/react-core';
import { TimesIcon } from '@patternfly/react-icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type KeyboardEvent, type Ref } from 'react';
import { hostQuery, hostsPageQuery } from '@cockpit/console-api';
import { TEXT_FILTER_DELAY_MS, useDebouncedValue } from '@cockpit/console-ui';

/** How many matching hosts the picker offers; typing more of the name narrows them. */
export const HOST_CHOICES = 20;

/**
 * Picks one host by typing part of its name: the server finds the matches (there may be thousands
 * of hosts, so none are loaded up front). `value` is the host's id; '' for any host.
 */
export function HostFilter({ value, label, onChange }: { value: string; label: string; onChange: (hostId: string) => void }) {
  const [open, setOpen] = useState(false);
  /** What is typed; null while the box shows the chosen host's name. */
  const [typed, setTyped] = useState<string | null>(null);
  const search = useDebouncedValue(typed?.trim() ?? '', TEXT_FILTER_DELAY_MS);
  const chosen = useQuery({ ...hostQuery(value), enabled: !!value });
  const choices = useQuery({
    ...hostsPageQuery({ name: search || undefined, limit: HOST_CHOICES }),
    enabled: open,
    placeholderData: keepPreviousData,
  });
  const hosts = choices.data?.items ?? [];

  const choose = (hostId: string) => {
    onChange(hostId);
    setTyped(null);
    setOpen(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      const [first] = hosts;
      if (open && first) choose(first.id);
      else setOpen(true);
    } else if (event.key === 'Escape') setOpen(false);
  };

  const toggle = (ref: Ref<MenuToggleElement>) => (
    <MenuToggle
      ref={ref}
      variant="typeahead"
      onClick={() => setOpen(!open)}
      isExpanded={open}
      aria-label={`${label}: show hosts`}
    >
      <TextInputGroup isPlain>
        <TextInputGroupMain
          value={typed ?? (value ? (chosen.data?.name ?? '') : '')}
          placeholder="Any host"
          aria-label={label}
          role="combobox"
          isExpanded={open}
          aria-controls="host-filter-choices"
          autoComplete="off"
          onClick={() => setOpen(true)}
          onChange={(_event, next) => (setTyped(next), setOpen(true))}
          onKeyDown={onKeyDown}
        />
        {(value || typed) && (
          <TextInputGroupUtilities>
            <Button variant="plain" aria-label="Any host" icon={<TimesIcon />} onClick={() => choose('')} />
          </TextInputGroupUtilities>
        )}
      </TextInputGroup>
    </MenuToggle>
  );

  return (
    <Select
      isOpen={open}
      selected={value}
      onSelect={(_event, hostId) => hosts.some((host) => host.id === hostId) && choose(String(hostId))}
      onOpenChange={(isOpen) => (setOpen(isOpen), isOpen || setTyped(null))}
      toggle={toggle}
      variant="typeahead"
    >
      <SelectList id="host-filter-choices" aria-label="Hosts">
        {choices.isError && (
          <SelectOption isAriaDisabled value="error">
            Could not load the hosts: {choices.error.message}
          </SelectOption>
        )}
        {!choices.data && !choices.isError && (
          <SelectOption isAriaDisabled value="loading">
            Loading hosts…
          </SelectOption>
        )}
        {choices.data && !hosts.length && (
          <SelectOption isAriaDisabled value="none">
            No host’s name contains “{search}”
          </SelectOption>
        )}
        {hosts.map((host) => (
          <SelectOption key={host.id} value={host.id}>
            {host.name}
          </SelectOption>
        ))}
        {choices.data && choices.data.total > hosts.length && (
          <SelectOption isAriaDisabled value="more">
            {choices.data.total - hosts.length} more: type more of the name
          </SelectOption>
        )}
      </SelectList>
    </Select>
  );
}
