import { Alert, Button, Flex, FlexItem, Spinner } from '@patternfly/react-core';
import { useEffect, useRef, useState } from 'react';
import type { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

type Status = { phase: 'loading' | 'ready' } | { phase: 'failed'; error: string };

const decoder = new TextDecoder();

/**
 * The VM's serial console over an open (or opening) console socket, in xterm.js: what the guest
 * writes is shown, what is typed is sent as text; the terminal fits its box as it resizes; copy
 * the selection and paste (buttons, or Ctrl+Shift+C / Ctrl+Shift+V).
 */
export function SerialConsole({ socket, vmName }: { socket: WebSocket; vmName: string }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const terminalRef = useRef<Terminal | null>(null);
  const [status, setStatus] = useState<Status>({ phase: 'loading' });
  const [note, setNote] = useState<string | null>(null);

  const send = (text: string) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
  };
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
  // Handlers read the latest copy/paste (they close over state setters only).
  const actions = useRef({ copy, paste, send });
  useEffect(() => {
    actions.current = { copy, paste, send };
  });

  useEffect(() => {
    let over = false;
    let terminal: Terminal | undefined;
    let resize: ResizeObserver | undefined;
    const received = (event: MessageEvent) =>
      terminal?.write(typeof event.data === 'string' ? event.data : decoder.decode(new Uint8Array(event.data as ArrayBuffer)));
    socket.addEventListener('message', received);
    void Promise.all([import('@xterm/xterm'), import('@xterm/addon-fit')])
      .then(([{ Terminal: Term }, { FitAddon }]) => {
        const box = boxRef.current;
        if (over || !box) return;
        terminal = new Term({
          cursorBlink: true,
          scrollback: 5000,
          fontFamily: 'var(--pf-t--global--font--family--mono), monospace',
        });
        const fit = new FitAddon();
        terminal.loadAddon(fit);
        terminal.open(box);
        fit.fit();
        terminal.onData((data) => actions.current.send(data));
        terminal.attachCustomKeyEventHandler((event) => {
          if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
          if (event.code === 'KeyC') return (void actions.current.copy(), false);
          if (event.code === 'KeyV') return (void actions.current.paste(), false);
          return true;
        });
        if (typeof ResizeObserver === 'function') {
          resize = new ResizeObserver(() => fit.fit());
          resize.observe(box);
        }
        terminal.focus();
        terminalRef.current = terminal;
        setStatus({ phase: 'ready' });
      })
      .catch((error: unknown) => {
        if (!over) setStatus({ phase: 'failed', error: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      over = true;
      socket.removeEventListener('message', received);
      resize?.disconnect();
      terminalRef.current = null;
      terminal?.dispose();
    };
  }, [socket]);

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
