import { Duplex } from 'node:stream';
import { glyph } from './font.js';

export interface ConsoleSubject {
  /** The VM's name and current state, read at every redraw / command. */
  describe(): { name: string; state: string; hostname: string; kernel: string };
}

/**
 * A serial console with a small line shell, as a byte stream: what a user types is echoed; Enter
 * runs the line. Commands: help, hostname, uname [-a|-r], uptime, date, echo ..., whoami, clear, exit.
 */
export function serialConsole(subject: ConsoleSubject): Duplex {
  const started = Date.now();
  let line = '';
  const prompt = () => `root@${subject.describe().name}:~# `;
  const stream = new Duplex({
    read() {
      // output is pushed as it happens
    },
    write(chunk: Buffer, _encoding, callback) {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          stream.push('\r\n');
          const output = run(line.trim());
          line = '';
          if (output === null) {
            stream.push('logout\r\n');
            stream.push(null);
            callback();
            return;
          }
          if (output) stream.push(`${output.replace(/\n/g, '\r\n')}\r\n`);
          stream.push(prompt());
        } else if (char === '\u007f' || char === '\b') {
          if (line.length) {
            line = line.slice(0, -1);
            stream.push('\b \b');
          }
        } else if (char === '\u0003') {
          line = '';
          stream.push(`^C\r\n${prompt()}`);
        } else if (char >= ' ') {
          line += char;
          stream.push(char);
        }
      }
      callback();
    },
  });
  const run = (input: string): string | null => {
    const { name, hostname, kernel } = subject.describe();
    const [command, ...args] = input.split(/\s+/);
    switch (command) {
      case '':
      case undefined:
        return '';
      case 'help':
        return 'commands: help hostname uname uptime date echo whoami clear exit';
      case 'hostname':
        return name;
      case 'whoami':
        return 'root';
      case 'uname':
        return args[0] === '-r'
          ? kernel
          : args[0] === '-a'
            ? `Linux ${name} ${kernel} #1 SMP x86_64 GNU/Linux (on ${hostname})`
            : 'Linux';
      case 'uptime':
        return ` up ${Math.floor((Date.now() - started) / 1000)} s, 1 user, load average: 0.05 0.03 0.01`;
      case 'date':
        return new Date().toUTCString();
      case 'echo':
        return args.join(' ');
      case 'clear':
        return '\u001b[2J\u001b[H';
      case 'exit':
      case 'logout':
        return null;
      default:
        return `-sh: ${command}: not found`;
    }
  };
  setImmediate(() => stream.push(`\r\nDebian GNU/Linux 12 ${subject.describe().name} ttyS0\r\n\r\n${prompt()}`));
  return stream;
}

export const SCREEN_WIDTH = 640;
export const SCREEN_HEIGHT = 400;
const SCALE = 3;
const BACKGROUND = [0x10, 0x18, 0x28] as const;
const INK = [0xe8, 0xe8, 0xe8] as const;
const ACCENT = [0x3c, 0xd0, 0x70] as const;

interface PixelFormat {
  bitsPerPixel: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

const DEFAULT_FORMAT: PixelFormat = {
  bitsPerPixel: 32,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
};

/** The screen as RGB triples: the VM's name, its state and a clock. */
export function renderScreen(subject: ConsoleSubject, now = new Date()): Uint8Array {
  const rgb = new Uint8Array(SCREEN_WIDTH * SCREEN_HEIGHT * 3);
  for (let i = 0; i < rgb.length; i += 3) rgb.set(BACKGROUND, i);
  const { name, state, hostname } = subject.describe();
  const text = (value: string, x0: number, y0: number, colour: readonly number[]) => {
    let x = x0;
    for (const char of value) {
      const rows = glyph(char);
      rows.forEach((row, gy) =>
        row.forEach((ink, gx) => {
          if (!ink) return;
          for (let dy = 0; dy < SCALE; dy++)
            for (let dx = 0; dx < SCALE; dx++) {
              const px = x + gx * SCALE + dx;
              const py = y0 + gy * SCALE + dy;
              if (px < SCREEN_WIDTH && py < SCREEN_HEIGHT) rgb.set(colour, (py * SCREEN_WIDTH + px) * 3);
            }
        }),
      );
      x += 6 * SCALE;
    }
  };
  text(name.slice(0, 30), 24, 40, INK);
  text(`STATE: ${state}`, 24, 100, ACCENT);
  text(`HOST: ${hostname}`.slice(0, 30), 24, 160, INK);
  text(now.toISOString().slice(11, 19), 24, 320, INK);
  return rgb;
}

function encodePixels(rgb: Uint8Array, format: PixelFormat, x: number, y: number, w: number, h: number): Buffer {
  const bytes = format.bitsPerPixel / 8;
  const out = Buffer.alloc(w * h * bytes);
  let offset = 0;
  for (let row = y; row < y + h; row++) {
    for (let col = x; col < x + w; col++) {
      const i = (row * SCREEN_WIDTH + col) * 3;
      const value =
        ((Math.round(((rgb[i] ?? 0) * format.redMax) / 255) << format.redShift) |
          (Math.round(((rgb[i + 1] ?? 0) * format.greenMax) / 255) << format.greenShift) |
          (Math.round(((rgb[i + 2] ?? 0) * format.blueMax) / 255) << format.blueShift)) >>>
        0;
      if (bytes === 4) {
        if (format.bigEndian) out.writeUInt32BE(value, offset);
        else out.writeUInt32LE(value, offset);
      } else if (bytes === 2) {
        if (format.bigEndian) out.writeUInt16BE(value & 0xffff, offset);
        else out.writeUInt16LE(value & 0xffff, offset);
      } else out.writeUInt8(value & 0xff, offset);
      offset += bytes;
    }
  }
  return out;
}

/**
 * An RFB 3.8 server (what QEMU's VNC speaks), as a byte stream: no authentication (the agent's
 * WebSocket is already authenticated), raw encoding, the client's pixel format honoured. It redraws
 * once a second, answering incremental update requests as noVNC sends them.
 */
export function vncConsole(subject: ConsoleSubject): Duplex {
  let input = Buffer.alloc(0);
  let stage: 'version' | 'security' | 'init' | 'normal' = 'version';
  let format = DEFAULT_FORMAT;
  let pending: { x: number; y: number; w: number; h: number } | undefined;
  let lastFrame = '';
  const stream = new Duplex({
    read() {
      // output is pushed as it happens
    },
    write(chunk: Buffer, _encoding, callback) {
      input = Buffer.concat([input, chunk]);
      try {
        while (consume()) {
          // keep parsing complete messages
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    final(callback) {
      clearInterval(timer);
      callback();
    },
    destroy(error, callback) {
      clearInterval(timer);
      callback(error);
    },
  });
  const sendUpdate = (rect: { x: number; y: number; w: number; h: number }) => {
    const header = Buffer.alloc(4 + 12);
    header.writeUInt8(0, 0); // FramebufferUpdate
    header.writeUInt16BE(1, 2);
    header.writeUInt16BE(rect.x, 4);
    header.writeUInt16BE(rect.y, 6);
    header.writeUInt16BE(rect.w, 8);
    header.writeUInt16BE(rect.h, 10);
    header.writeInt32BE(0, 12); // raw
    const frame = renderScreen(subject);
    lastFrame = new Date().toISOString().slice(11, 19) + subject.describe().state;
    stream.push(Buffer.concat([header, encodePixels(frame, format, rect.x, rect.y, rect.w, rect.h)]));
  };
  const consume = (): boolean => {
    switch (stage) {
      case 'version': {
        if (input.length < 12) return false;
        const version = input.subarray(0, 12).toString('latin1');
        input = input.subarray(12);
        if (!/^RFB 003\.00[378]\n$/.test(version)) throw new Error(`Unsupported RFB version ${JSON.stringify(version)}`);
        stream.push(Buffer.from([1, 1])); // one security type: None
        stage = 'security';
        return true;
      }
      case 'security': {
        if (input.length < 1) return false;
        const chosen = input.readUInt8(0);
        input = input.subarray(1);
        if (chosen !== 1) throw new Error(`Security type ${chosen} not offered`);
        stream.push(Buffer.from([0, 0, 0, 0])); // SecurityResult OK
        stage = 'init';
        return true;
      }
      case 'init': {
        if (input.length < 1) return false;
        input = input.subarray(1); // ClientInit (shared flag)
        const name = Buffer.from(`${subject.describe().name} (simulated)`, 'utf8');
        const init = Buffer.alloc(24 + name.length);
        init.writeUInt16BE(SCREEN_WIDTH, 0);
        init.writeUInt16BE(SCREEN_HEIGHT, 2);
        writeFormat(init, 4, format);
        init.writeUInt32BE(name.length, 20);
        name.copy(init, 24);
        stream.push(init);
        stage = 'normal';
        return true;
      }
      case 'normal': {
        if (input.length < 1) return false;
        const type = input.readUInt8(0);
        const need = { 0: 20, 2: 4, 3: 10, 4: 8, 5: 6, 6: 8 }[type];
        if (need === undefined) throw new Error(`Unknown RFB client message ${type}`);
        if (input.length < need) return false;
        if (type === 2) {
          const count = input.readUInt16BE(2);
          if (input.length < 4 + count * 4) return false;
          input = input.subarray(4 + count * 4);
          return true;
        }
        if (type === 6) {
          const length = input.readUInt32BE(4);
          if (length > 1024 * 1024) throw new Error('Clipboard text too long');
          if (input.length < 8 + length) return false;
          input = input.subarray(8 + length);
          return true;
        }
        const message = input.subarray(0, need);
        input = input.subarray(need);
        if (type === 0) format = readFormat(message, 4);
        if (type === 3) {
          const rect = {
            x: message.readUInt16BE(2),
            y: message.readUInt16BE(4),
            w: message.readUInt16BE(6),
            h: message.readUInt16BE(8),
          };
          rect.w = Math.max(0, Math.min(rect.w, SCREEN_WIDTH - rect.x));
          rect.h = Math.max(0, Math.min(rect.h, SCREEN_HEIGHT - rect.y));
          if (message.readUInt8(1) === 0) sendUpdate(rect);
          else pending = rect;
        }
        return true;
      }
    }
  };
  const timer = setInterval(() => {
    const key = new Date().toISOString().slice(11, 19) + subject.describe().state;
    if (pending && key !== lastFrame) {
      const rect = pending;
      pending = undefined;
      sendUpdate(rect);
    }
  }, 250);
  timer.unref();
  setImmediate(() => stream.push(Buffer.from('RFB 003.008\n', 'latin1')));
  return stream;
}

function writeFormat(buffer: Buffer, offset: number, format: PixelFormat): void {
  buffer.writeUInt8(format.bitsPerPixel, offset);
  buffer.writeUInt8(format.bitsPerPixel === 32 ? 24 : format.bitsPerPixel, offset + 1);
  buffer.writeUInt8(format.bigEndian ? 1 : 0, offset + 2);
  buffer.writeUInt8(format.trueColour ? 1 : 0, offset + 3);
  buffer.writeUInt16BE(format.redMax, offset + 4);
  buffer.writeUInt16BE(format.greenMax, offset + 6);
  buffer.writeUInt16BE(format.blueMax, offset + 8);
  buffer.writeUInt8(format.redShift, offset + 10);
  buffer.writeUInt8(format.greenShift, offset + 11);
  buffer.writeUInt8(format.blueShift, offset + 12);
}

function readFormat(message: Buffer, offset: number): PixelFormat {
  const format: PixelFormat = {
    bitsPerPixel: message.readUInt8(offset),
    bigEndian: message.readUInt8(offset + 2) !== 0,
    trueColour: message.readUInt8(offset + 3) !== 0,
    redMax: message.readUInt16BE(offset + 4),
    greenMax: message.readUInt16BE(offset + 6),
    blueMax: message.readUInt16BE(offset + 8),
    redShift: message.readUInt8(offset + 10),
    greenShift: message.readUInt8(offset + 11),
    blueShift: message.readUInt8(offset + 12),
  };
  if (![8, 16, 32].includes(format.bitsPerPixel) || !format.trueColour) {
    throw new Error(`Unsupported pixel format (${format.bitsPerPixel} bpp, true colour ${format.trueColour})`);
  }
  return format;
}
