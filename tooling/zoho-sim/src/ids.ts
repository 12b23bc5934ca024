import { randomBytes } from 'node:crypto';

/** Zoho tokens look like `1000.<hex>.<hex>`; clients should treat them as opaque. */
export function newOpaqueToken(): string {
  return `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
}

// Zoho record ids are 18–19 digit numeric strings sharing an org prefix; 13 + 6 digits = 19.
const ORG_PREFIX = '4876876000000';

export class RecordIdSequence {
  private next = 0;

  constructor(private readonly start = 424001) {
    this.next = start;
  }

  take(): string {
    const id = `${ORG_PREFIX}${String(this.next).padStart(6, '0')}`;
    this.next += 1;
    return id;
  }

  reset(): void {
    this.next = this.start;
  }
}

export const SIM_USER = { name: 'Sim User', id: `${ORG_PREFIX}225013`, zuid: '736078909' } as const;
export const LEADS_MODULE_ID = `${ORG_PREFIX}002175`;
