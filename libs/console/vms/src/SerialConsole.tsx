import { Alert, Button, Flex, FlexItem, Spinner } from '@patternfly/react-core';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type { Terminal } from '@xterm/xterm';
import type { ConsoleTicket } from '@cockpit/contracts';
import { closeConsoleSocket, loadTerminal, openConsoleSocket, type SocketStatus } from './console-session.js';
import '@xterm/xterm/css/xterm.css';

type Status = { phase: 'loading' | 'ready' } | { phase: 'failed'; error: string };

const decoder = new TextDecoder();

/**
 * The VM's serial console over the ticket's socket, in xterm.js: what the guest writes is shown,
 * what is typed is sent as text; the terminal fits its box as it resizes; copy the selection and
 * paste (buttons, or Ctrl+Shift+C / Ctrl+Shift+V). The socket opens when this mounts (once the
 * terminal is there to show what arrives) and closes when it unmounts.
 */
export function SerialConsole({
  ticket,
  vmName,
  onStatus,
}: {
  ticket: ConsoleTicket;
  vmName: string;
  onStatus: (status: SocketStatus) => void;
}) {
  const boxRef = useRef<HTMLDivElement>(null);
  const terminalRef = useRef<Terminal | null>(null);
  const [status, setStatus] = useState<Status>({ phase: 'loading' });
  const [note, setNote] = useState<string | null>(null);

  const copy = async () => {
    const selection = terminalRef.current?.getSelection() ?? '';
    if (!selection) return setNote('Select some text in the terminal first');
    await navigator.clipboard
      .writeText(selection)
      .then(() => setNote('Copied'))
      .catch(() => setNote('The browser did not allow copying'));
  };
  const paste = async () => {
    await navigator.clipboard
      .readText()
      .then((text) => terminalRef.current?.paste(text))
      .catch(() => setNote('The browser did not allow reading the clipboard'));
  };
  const onCopy = useEffectEvent(() => void copy());
  const onPaste = useEffectEvent(() => void paste());
  const report = useEffectEvent((status: SocketStatus) => onStatus(status));

  useEffect(() => {
    let over = false;
    let terminal: Terminal | undefined;
    let resize: ResizeObserver | undefined;
    let socket: WebSocket | undefined;
    loadTerminal()
      .then(([{ Terminal: Term }, { FitAddon }]) => {
        const box = boxRef.current;
        if (over || !box) return;
        const shown = new Term({
          cursorBlink: true,
          scrollback: 5000,
          fontFamily: 'var(--pf-t--global--font--family--mono), monospace',
        });
        terminal = shown;
        const fit = new FitAddon();
        shown.loadAddon(fit);
        shown.open(box);
        fit.fit();
        // The terminal is there before the socket opens: the guest's first words (a prompt) are shown.
        const opened = openConsoleSocket(ticket.path, (status) => !over && report(status));
        socket = opened;
        opened.addEventListener('message', (event: MessageEvent) =>
          shown.write(typeof event.data === 'string' ? event.data : decoder.decode(new Uint8Array(event.data as ArrayBuffer))),
        );
        shown.onData((data) => {
          if (opened.readyState === WebSocket.OPEN) opened.send(data);
        });
        shown.attachCustomKeyEventHandler((event) => {
          if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
          if (event.code === 'KeyC') return (onCopy(), false);
          if (event.code === 'KeyV') return (onPaste(), false);
          return true;
        });
        if (typeof ResizeObserver === 'function') {
          resize = new ResizeObserver(() => fit.fit());
          resize.observe(box);
        }
        shown.focus();
        terminalRef.current = shown;
        setStatus({ phase: 'ready' });
      })
      .catch((error: unknown) => {
        if (!over) setStatus({ phase: 'failed', error: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      over = true;
      closeConsoleSocket(socket);
      resize?.disconnect();
      terminalRef.current = null;
      terminal?.dispose();
    };
  }, [ticket]);

  return (
    <>
      <Flex
        spaceItems={{ default: 'spaceItemsSm' }}
        alignItems={{ default: 'alignItemsCenter' }}
        role="toolbar"
        aria-label="Serial console"
      >
        <FlexItem>
          <Button variant="secondary" isDisabled={status.phase !== 'ready'} onClick={() => void copy()}>
            Copy selection
          </Button>
        </FlexItem>
        <FlexItem>
          <Button variant="secondary" isDisabled={status.phase !== 'ready'} onClick={() => void paste()}>
            Paste
          </Button>
        </FlexItem>
        {status.phase === 'loading' && (
          <FlexItem>
            <Spinner size="md" aria-label="Starting the terminal" />
          </FlexItem>
        )}
        {note && <FlexItem role="status">{note}</FlexItem>}
      </Flex>
      {status.phase === 'failed' && <Alert variant="danger" isInline title={`The serial console failed: ${status.error}`} />}
      <div
        ref={boxRef}
        role="application"
        aria-label={`Serial console of ${vmName}`}
        style={{ marginTop: 'var(--pf-t--global--spacer--sm)', height: '60vh', minHeight: 240, background: '#000', padding: 4 }}
      />
    </>
  );
}
