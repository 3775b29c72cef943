import {
  Alert,
  AlertActionLink,
  Bullseye,
  Button,
  Checkbox,
  Content,
  Flex,
  FlexItem,
  Form,
  FormGroup,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  SearchInput,
  Spinner,
  TextInput,
} from '@patternfly/react-core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { rebalanceHosts } from '@cockpit/contracts';
import { hostsPageQuery, MIGRATION_LISTS_KEY, rebalancePlanQuery, useApiMutation } from '@cockpit/console-api';
import { TEXT_FILTER_DELAY_MS, useDebouncedValue } from '@cockpit/console-ui';
import { ProblemAlert } from './ProblemAlert.js';
import { PlanStarted, PlanView } from './PlanView.js';

/** Hosts offered at once; typing part of a name narrows them. */
const HOSTS_SHOWN = 50;
const DEFAULT_MAX_MOVES = 10;

/** Connected hosts to choose from, by name: each ticked one is rebalanced. */
function HostChoices({
  chosen,
  onChange,
}: {
  chosen: ReadonlyMap<string, string>;
  onChange: (next: Map<string, string>) => void;
}) {
  const [typed, setTyped] = useState('');
  const name = useDebouncedValue(typed.trim(), TEXT_FILTER_DELAY_MS);
  const hosts = useQuery({
    ...hostsPageQuery({ name: name || undefined, state: 'connected', limit: HOSTS_SHOWN }),
    placeholderData: keepPreviousData,
  });
  const toggle = (id: string, hostName: string, on: boolean) => {
    const next = new Map(chosen);
    if (on) next.set(id, hostName);
    else next.delete(id);
    onChange(next);
  };
  return (
    <FormGroup label="Hosts" fieldId="rebalance-hosts" isStack>
      <SearchInput
        aria-label="Find hosts by name"
        placeholder="Find hosts by name"
        value={typed}
        onChange={(_e, next) => setTyped(next)}
        onClear={() => setTyped('')}
      />
      {hosts.isError && !hosts.data && (
        <Alert
          variant="danger"
          isInline
          isPlain
          title={`Could not load the hosts: ${hosts.error.message}`}
          actionLinks={<AlertActionLink onClick={() => void hosts.refetch()}>Try again</AlertActionLink>}
        />
      )}
      {hosts.isPending && <Spinner size="md" aria-label="Loading hosts" />}
      <div role="group" aria-label="Hosts to rebalance" style={{ maxHeight: 220, overflowY: 'auto' }}>
        {hosts.data?.items.map((host) => (
          <Checkbox
            key={host.id}
            id={`rebalance-${host.id}`}
            label={host.name}
            isChecked={chosen.has(host.id)}
            onChange={(_e, on) => toggle(host.id, host.name, on)}
          />
        ))}
        {hosts.data && hosts.data.total > hosts.data.items.length && (
          <Content component="small">
            {(hosts.data.total - hosts.data.items.length).toLocaleString()} more: type part of a name
          </Content>
        )}
        {hosts.data && !hosts.data.items.length && <Content component="small">No connected host matches.</Content>}
      </div>
      <Content component="small">
        {chosen.size ? `Chosen: ${[...chosen.values()].join(', ')}` : 'Choose at least two hosts.'}
      </Content>
    </FormGroup>
  );
}

/**
 * Evening out memory and CPU load across hosts: choose them and the most moves, see the plan (each
 * move and why, the spread before and after), then Apply, which plans again and queues the moves.
 */
export function RebalanceModal({ onClose }: { onClose: () => void }) {
  const [chosen, setChosen] = useState<Map<string, string>>(new Map());
  const [maxMoves, setMaxMoves] = useState(String(DEFAULT_MAX_MOVES));
  const [asked, setAsked] = useState<{ hostIds: string[]; maxMoves: number } | null>(null);
  const moves = Number(maxMoves);
  const movesValid = Number.isInteger(moves) && moves >= 1 && moves <= 500;
  const canPlan = chosen.size >= 2 && movesValid;
  const plan = useQuery({
    ...rebalancePlanQuery(asked?.hostIds ?? [], asked?.maxMoves ?? DEFAULT_MAX_MOVES),
    enabled: !!asked,
  });
  const apply = useApiMutation(rebalanceHosts, { invalidates: [MIGRATION_LISTS_KEY] });
  const planned = plan.data?.plan.moves.length ?? 0;
  const current =
    !!asked && asked.maxMoves === moves && asked.hostIds.length === chosen.size && asked.hostIds.every((id) => chosen.has(id));

  return (
    <Modal isOpen variant="large" onClose={onClose} aria-labelledby="rebalance-title">
      <ModalHeader
        title="Rebalance hosts"
        labelId="rebalance-title"
        description="Moves running VMs from the busiest host to the one it evens out most, while every check passes."
      />
      <ModalBody>
        {apply.isSuccess ? (
          <PlanStarted job={apply.data.job} migrations={apply.data.migrations} followPath="/migrations" onClose={onClose} />
        ) : (
          <>
            <Form
              onSubmit={(event) => {
                event.preventDefault();
                if (canPlan) setAsked({ hostIds: [...chosen.keys()], maxMoves: moves });
              }}
            >
              <HostChoices chosen={chosen} onChange={setChosen} />
              <Flex alignItems={{ default: 'alignItemsFlexEnd' }}>
                <FlexItem>
                  <FormGroup label="At most this many moves" fieldId="rebalance-max-moves">
                    <TextInput
                      id="rebalance-max-moves"
                      type="number"
                      value={maxMoves}
                      validated={movesValid ? 'default' : 'error'}
                      onChange={(_e, next) => setMaxMoves(next)}
                    />
                  </FormGroup>
                </FlexItem>
                <FlexItem>
                  <Button type="submit" variant="secondary" isDisabled={!canPlan}>
                    Plan
                  </Button>
                </FlexItem>
              </Flex>
              {!movesValid && <Alert variant="danger" isInline isPlain title="From 1 to 500 moves" />}
            </Form>
            <div style={{ marginTop: 'var(--pf-t--global--spacer--lg)' }}>
              {apply.isError && <ProblemAlert title="Not applied" error={apply.error} />}
              {asked && plan.isPending && (
                <Bullseye>
                  <Spinner aria-label="Planning the moves" />
                </Bullseye>
              )}
              {plan.isError && <Alert variant="danger" isInline title={`Could not plan it: ${plan.error.message}`} />}
              {plan.data && (
                <>
                  {!current && (
                    <Alert variant="info" isInline isPlain title="The choice changed since: plan again to see its plan." />
                  )}
                  <PlanView plan={plan.data.plan} />
                </>
              )}
            </div>
          </>
        )}
      </ModalBody>
      <ModalFooter>
        {!apply.isSuccess && (
          <Button
            variant="primary"
            isDisabled={!current || !planned || apply.isPending || plan.isFetching}
            isLoading={apply.isPending}
            onClick={() => asked && apply.mutate({ body: { hostIds: asked.hostIds, maxMoves: asked.maxMoves, dryRun: false } })}
          >
            {planned ? `Apply: ${planned === 1 ? '1 move' : `${planned} moves`}` : 'Apply'}
          </Button>
        )}
        <Button variant="link" onClick={onClose}>
          {apply.isSuccess ? 'Close' : 'Cancel'}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
