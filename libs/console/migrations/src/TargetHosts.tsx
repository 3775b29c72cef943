import { Alert, AlertActionLink, Bullseye, Radio, Spinner } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { UseQueryResult } from '@tanstack/react-query';
import type { Preflight } from '@cockpit/contracts';
import { TYPE_LABEL } from './format.js';
import { VerdictLabel } from './states.js';

const RANK = { pass: 0, warn: 1, fail: 2 } as const;
const collator = new Intl.Collator(undefined, { numeric: true });

/** Hosts that can take it first (without warnings first), then by name. */
export function byVerdict(results: readonly Preflight[]): Preflight[] {
  return [...results].sort((a, b) => RANK[a.verdict] - RANK[b.verdict] || collator.compare(a.target.name, b.target.name));
}

/** What stands in the way (or might): the failing and warning checks' sentences. */
function Reasons({ result }: { result: Preflight }) {
  const reasons = result.checks.filter((check) => check.outcome !== 'pass');
  if (!reasons.length) return <>Every check passes.</>;
  return (
    <ul style={{ margin: 0, paddingInlineStart: 'var(--pf-t--global--spacer--md)' }}>
      {reasons.map((check, index) => (
        <li key={`${check.check}-${index}`}>{check.message}</li>
      ))}
    </ul>
  );
}

/**
 * Every host the VM could go to, with the pre-flight's verdict on each and, where it is refused or
 * warned about, why; a refused host cannot be chosen.
 */
export function TargetHosts({
  matrix,
  chosen,
  onChoose,
}: {
  matrix: UseQueryResult<{ results: Preflight[] }, Error>;
  chosen: string;
  onChoose: (hostId: string) => void;
}) {
  if (matrix.isPending)
    return (
      <Bullseye>
        <Spinner aria-label="Checking every host" />
      </Bullseye>
    );
  if (!matrix.data)
    return (
      <Alert
        variant="danger"
        isInline
        title={`Could not check the hosts: ${matrix.error?.message}`}
        actionLinks={<AlertActionLink onClick={() => void matrix.refetch()}>Try again</AlertActionLink>}
      />
    );
  const results = byVerdict(matrix.data.results);
  if (!results.length) return <Alert variant="info" isInline title="There is no other host you may view to move it to." />;
  return (
    <>
      {matrix.isError && <Alert variant="warning" isInline isPlain title={`Not up to date: ${matrix.error.message}`} />}
      <Table aria-label="Target hosts" variant="compact" aria-busy={matrix.isFetching}>
        <Thead>
          <Tr>
            <Th screenReaderText="Choose" />
            <Th>Host</Th>
            <Th>Verdict</Th>
            <Th>Type</Th>
            <Th width={50}>Why</Th>
          </Tr>
        </Thead>
        <Tbody>
          {results.map((result) => (
            <Tr key={result.target.id} isRowSelected={chosen === result.target.id}>
              <Td>
                <Radio
                  id={`migrate-to-${result.target.id}`}
                  name="migrate-target"
                  aria-label={`Move to ${result.target.name}`}
                  isChecked={chosen === result.target.id}
                  isDisabled={result.verdict === 'fail'}
                  onChange={() => onChoose(result.target.id)}
                />
              </Td>
              <Td dataLabel="Host">{result.target.name}</Td>
              <Td dataLabel="Verdict">
                <VerdictLabel verdict={result.verdict} />
              </Td>
              <Td dataLabel="Type">{TYPE_LABEL[result.type]}</Td>
              <Td dataLabel="Why">
                <Reasons result={result} />
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
    </>
  );
}
