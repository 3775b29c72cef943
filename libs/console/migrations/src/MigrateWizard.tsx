import {
  Alert,
  Bullseye,
  Content,
  DescriptionList,
  Form,
  Modal,
  Spinner,
  Title,
  Wizard,
  WizardHeader,
  WizardStep,
} from '@patternfly/react-core';
import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { MigrateOptions, startMigration, type FleetVm, type Preflight } from '@cockpit/contracts';
import { MIGRATION_LISTS_KEY, preflightMatrixQuery, preflightQuery, useApiMutation } from '@cockpit/console-api';
import { TEXT_FILTER_DELAY_MS, Term, useDebouncedValue } from '@cockpit/console-ui';
import { describeOptions, TYPE_LABEL } from './format.js';
import { DEFAULT_OPTIONS, MigrateOptionsForm, optionsOf } from './MigrateOptionsForm.js';
import { ProblemAlert } from './ProblemAlert.js';
import { CheckList, VerdictLabel } from './states.js';
import { TargetHosts } from './TargetHosts.js';

/** The chosen host's pre-flight with the options as they are: its type and why, its verdict, every check. */
function Answer({ preflight, detailed }: { preflight: UseQueryResult<Preflight, Error>; detailed: boolean }) {
  if (preflight.isPending)
    return (
      <Bullseye>
        <Spinner size="md" aria-label="Checking the move" />
      </Bullseye>
    );
  if (!preflight.data) return <Alert variant="danger" isInline title={`Could not check the move: ${preflight.error?.message}`} />;
  const { data } = preflight;
  return (
    <>
      <DescriptionList isHorizontal isCompact aria-label="The move" style={{ marginBottom: 'var(--pf-t--global--spacer--md)' }}>
        <Term term="From">{data.source.name}</Term>
        <Term term="To">{data.target.name}</Term>
        <Term term="Type">
          <strong>{TYPE_LABEL[data.type]}</strong>: {data.typeReason}
        </Term>
        <Term term="Verdict">
          <VerdictLabel verdict={data.verdict} />
        </Term>
        {detailed &&
          describeOptions(data.options).map(({ term, value }) => (
            <Term key={term} term={term}>
              {value}
            </Term>
          ))}
      </DescriptionList>
      {detailed && (
        <>
          <Title headingLevel="h3" size="md">
            Pre-flight checks
          </Title>
          <CheckList checks={data.checks} label="Pre-flight checks" />
        </>
      )}
    </>
  );
}

/**
 * Moves a VM to another host: every host it could go to with the pre-flight's verdict and reasons,
 * the options with their defaults, the type Cockpit detects and why, then Start, which leads to the
 * migration's live view. The checks are asked again as the options change.
 */
export function MigrateWizard({ vm, onClose }: { vm: FleetVm; onClose: () => void }) {
  const navigate = useNavigate();
  const [draft, setDraft] = useState(DEFAULT_OPTIONS);
  const [targetId, setTargetId] = useState('');
  const { options, errors } = optionsOf(draft);
  const valid = Object.keys(errors).length === 0;
  // The options the checks are asked with: once typing pauses (a string, so the value settles).
  const typed = JSON.stringify(options);
  const asked = useDebouncedValue(typed, TEXT_FILTER_DELAY_MS);
  const askedOptions = useMemo(() => MigrateOptions.safeParse(JSON.parse(asked)), [asked]);
  const settled = askedOptions.data ?? {};
  const current = asked === typed && valid;

  const matrix = useQuery({
    ...preflightMatrixQuery(vm.id, settled),
    enabled: askedOptions.success,
    placeholderData: keepPreviousData,
  });
  const chosen = matrix.data?.results.find((result) => result.target.id === targetId);
  const preflight = useQuery({
    ...preflightQuery(vm.id, targetId, settled),
    enabled: askedOptions.success && !!targetId,
    placeholderData: keepPreviousData,
  });
  const start = useApiMutation(startMigration, {
    invalidates: [MIGRATION_LISTS_KEY],
    onSuccess: (migration) => {
      onClose();
      void navigate(`/migrations/${migration.id}`);
    },
  });
  const stopped = vm.state === 'shutoff';
  const ready = current && preflight.data?.target.id === targetId && preflight.data.verdict !== 'fail' && !preflight.isFetching;

  return (
    <Modal isOpen variant="large" onEscapePress={onClose} aria-labelledby="migrate-vm-title">
      <Wizard
        header={
          <WizardHeader
            title={`Migrate ${vm.name}`}
            titleId="migrate-vm-title"
            description={`From ${vm.hostName}, where it is ${vm.state}.`}
            onClose={onClose}
            closeButtonAriaLabel="Close"
          />
        }
        onClose={onClose}
        onSave={() => {
          if (ready && !start.isPending) start.mutate({ body: { vmId: vm.id, targetHostId: targetId, options } });
        }}
        height={600}
      >
        <WizardStep name="Target host" id="migrate-target" footer={{ isNextDisabled: !chosen || chosen.verdict === 'fail' }}>
          <Content component="p">
            Each host as the pre-flight checks answer for {vm.name} with the options of the next step (the defaults until you
            change them). A refused host says why.
          </Content>
          {chosen?.verdict === 'fail' && (
            <Alert variant="warning" isInline isPlain title={`With these options ${chosen.target.name} refuses it`} />
          )}
          <TargetHosts matrix={matrix} chosen={targetId} onChoose={setTargetId} />
        </WizardStep>
        <WizardStep name="Options" id="migrate-options" footer={{ isNextDisabled: !valid }}>
          <Form onSubmit={(event) => event.preventDefault()}>
            <MigrateOptionsForm draft={draft} onChange={setDraft} stopped={stopped} errors={errors} />
          </Form>
          {targetId && (
            <div style={{ marginTop: 'var(--pf-t--global--spacer--lg)' }}>
              <Answer preflight={preflight} detailed={false} />
            </div>
          )}
        </WizardStep>
        <WizardStep
          name="Review"
          id="migrate-review"
          footer={{ nextButtonText: 'Start migration', isNextDisabled: !ready || start.isPending }}
        >
          {start.isError && <ProblemAlert title="Not started" error={start.error} />}
          {!valid && <Alert variant="warning" isInline title="Some options need a look" />}
          <Answer preflight={preflight} detailed />
        </WizardStep>
      </Wizard>
    </Modal>
  );
}
