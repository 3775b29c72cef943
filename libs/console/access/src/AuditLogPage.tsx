import { Button, Label, PageSection, TextInput, Title, Toolbar, ToolbarContent, ToolbarItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { auditQuery } from '@cockpit/console-api';
import { RequirePermission } from './session.js';

const RESULT_COLOR = { success: 'green', failure: 'orange', denied: 'red' } as const;

/** The audit log: newest first, filtered by actor and action, paged, exportable as CSV. */
export function AuditLogPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [before, setBefore] = useState<string[]>([]);
  const filter = { actor: actor || undefined, action: action || undefined, before: before.at(-1), limit: 50 };
  const page = useQuery(auditQuery(filter));
  const exportParams = new URLSearchParams(Object.entries({ actor, action }).filter(([, v]) => v));
  return (
    <RequirePermission permission="audit.view">
      <PageSection>
        <Title headingLevel="h1">Audit log</Title>
      </PageSection>
      <PageSection isFilled>
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <TextInput
                aria-label="Filter by actor"
                placeholder="Actor"
                value={actor}
                onChange={(_e, v) => (setActor(v), setBefore([]))}
              />
            </ToolbarItem>
            <ToolbarItem>
              <TextInput
                aria-label="Filter by action"
                placeholder="Action (e.g. login)"
                value={action}
                onChange={(_e, v) => (setAction(v), setBefore([]))}
              />
            </ToolbarItem>
            <ToolbarItem>
              <Button component="a" variant="secondary" href={`/api/audit/export.csv?${exportParams.toString()}`}>
                Export CSV
              </Button>
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
        <Table aria-label="Audit records" variant="compact">
          <Thead>
            <Tr>
              <Th>Time</Th>
              <Th>Actor</Th>
              <Th>Action</Th>
              <Th>Target</Th>
              <Th>Result</Th>
              <Th>From</Th>
            </Tr>
          </Thead>
          <Tbody>
            {(page.data?.items ?? []).map((record) => (
              <Tr key={record.id}>
                <Td dataLabel="Time">{new Date(record.at).toLocaleString()}</Td>
                <Td dataLabel="Actor">{record.actor.name}</Td>
                <Td dataLabel="Action">{record.action}</Td>
                <Td dataLabel="Target">{record.target ?? '—'}</Td>
                <Td dataLabel="Result">
                  <Label color={RESULT_COLOR[record.result]}>
                    {record.result} ({record.status})
                  </Label>
                </Td>
                <Td dataLabel="From">{record.sourceIp}</Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <Button variant="secondary" isDisabled={!before.length} onClick={() => setBefore((b) => b.slice(0, -1))}>
                Newer
              </Button>
            </ToolbarItem>
            <ToolbarItem>
              <Button
                variant="secondary"
                isDisabled={!page.data?.nextBefore}
                onClick={() => setBefore((b) => [...b, page.data?.nextBefore ?? ''])}
              >
                Older
              </Button>
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
      </PageSection>
    </RequirePermission>
  );
}
