import { Alert, Button, Checkbox, Flex, FlexItem, FormGroup, Spinner, TextArea } from '@patternfly/react-core';
import { ExpandIcon } from '@patternfly/react-icons';
import { useEffect, useEffectEvent, useRef, useState } from 'react';
import type RFB from '@novnc/novnc';
import type { ConsoleTicket } from '@cockpit/contracts';
import { closeConsoleSocket, loadVnc, openConsoleSocket, type SocketStatus } from './console-session.js';

type Status = { phase: 'loading' | 'handshake' | 'connected' } | { phase: 'failed'; error: string };

/**
 * The VM's screen over the ticket's socket, drawn by noVNC: scaled to fit or at its own size,
 * Ctrl+Alt+Del, the guest's clipboard and sending text to it, full screen. The socket opens when
 * this mounts and closes when it unmounts.
 */
export function VncConsole({
  ticket,
  vmName,
  onStatus,
}: {
  ticket: ConsoleTicket;
  vmName: string;
  onStatus: (status: SocketStatus) => void;
}) {
  const screenRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const [status, setStatus] = useState<Status>({ phase: 'loading' });
  const [scale, setScale] = useState(true);
  const [clipboard, setClipboard] = useState('');

  const report = useEffectEvent((status: SocketStatus) => onStatus(status));

  useEffect(() => {
    let over = false;
    let rfb: RFB | undefined;
    let socket: WebSocket | undefined;
    loadVnc()
      .then(({ default: Rfb }) => {
        const target = screenRef.current;
        if (over || !target) return;
        // noVNC takes the socket over before anything can arrive on it (the server speaks first).
        socket = openConsoleSocket(ticket.path, (status) => !over && report(status));
        rfb = new Rfb(target, socket);
        rfb.scaleViewport = true;
        rfb.focusOnClick = true;
        rfb.background = 'var(--pf-t--global--background--color--inverse--default, #000)';
        rfb.addEventListener('connect', () => !over && setStatus({ phase: 'connected' }));
        rfb.addEventListener('securityfailure', (event) =>
          setStatus({ phase: 'failed', error: event.detail.reason ?? `The VM refused the connection (${event.detail.status})` }),
        );
        rfb.addEventListener('clipboard', (event) => setClipboard(event.detail.text));
        rfbRef.current = rfb;
        setStatus({ phase: 'handshake' });
      })
      .catch((error: unknown) => {
        if (!over) setStatus({ phase: 'failed', error: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      over = true;
      rfbRef.current = null;
      rfb?.disconnect();
      closeConsoleSocket(socket);
    };
  }, [ticket]);

  useEffect(() => {
    if (rfbRef.current) rfbRef.current.scaleViewport = scale;
  }, [scale, status]);

  const connected = status.phase === 'connected';
  return (
    <>
      <Flex
        spaceItems={{ default: 'spaceItemsSm' }}
        alignItems={{ default: 'alignItemsCenter' }}
        role="toolbar"
        aria-label="Graphical console"
      >
        <FlexItem>
          <Button variant="secondary" isDisabled={!connected} onClick={() => rfbRef.current?.sendCtrlAltDel()}>
            Send Ctrl+Alt+Del
          </Button>
        </FlexItem>
        <FlexItem>
          <Checkbox id="vnc-scale" label="Scale to fit" isChecked={scale} onChange={(_e, on) => setScale(on)} />
        </FlexItem>
        <FlexItem>
          <Button
            variant="secondary"
            icon={<ExpandIcon />}
            onClick={() => void frameRef.current?.requestFullscreen?.().catch(() => undefined)}
          >
            Full screen
          </Button>
        </FlexItem>
        {status.phase !== 'connected' && status.phase !== 'failed' && (
          <FlexItem>
            <Spinner size="md" aria-label="Waiting for the VM’s screen" />
          </FlexItem>
        )}
      </Flex>
      {status.phase === 'failed' && <Alert variant="danger" isInline title={`The graphical console failed: ${status.error}`} />}
      <div
        ref={frameRef}
        style={{ marginTop: 'var(--pf-t--global--spacer--sm)', background: '#000', height: '70vh', minHeight: 320 }}
      >
        <div ref={screenRef} role="application" aria-label={`Screen of ${vmName}`} style={{ width: '100%', height: '100%' }} />
      </div>
      <FormGroup label="Clipboard" fieldId="vnc-clipboard" style={{ marginTop: 'var(--pf-t--global--spacer--md)' }}>
        <TextArea
          id="vnc-clipboard"
          value={clipboard}
          onChange={(_e, text) => setClipboard(text)}
          resizeOrientation="vertical"
          aria-describedby="vnc-clipboard-help"
        />
        <p id="vnc-clipboard-help" className="pf-v6-u-font-size-sm">
          What the VM copies shows here; text put here is sent to the VM’s clipboard.
        </p>
        <Button
          variant="secondary"
          isDisabled={!connected || !clipboard}
          onClick={() => rfbRef.current?.clipboardPasteFrom(clipboard)}
        >
          Send to the VM’s clipboard
        </Button>
      </FormGroup>
    </>
  );
}
