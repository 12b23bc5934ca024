import type { Server } from 'node:http';
import type { DataCenterOption, ZohoSimOptions } from './config.js';
import { SimControl } from './control.js';
import { type DataCenterInfo, KNOWN_LOCATIONS, MAIN_LOCATION } from './data-centers.js';
import { closeServer, createDcServer, listen } from './server.js';
import { SimState } from './state.js';

export type { DataCenterOption, SimClient, SimConfig, Throttle, ZohoSimOptions } from './config.js';
export type { ConfigPatch, CountersSnapshot, RejectRule, SimControl, TokenSeed } from './control.js';
export type { DataCenterInfo } from './data-centers.js';
export type { Endpoint, FaultSpec, PendingFault } from './faults.js';
export type { FieldSpec, FieldType } from './fields.js';
export { SimControlClient } from './remote.js';
export type { WriteCall } from './state.js';
export { type ConsentResult, consent, postForm } from './testing.js';
export { isZohoEmail, isZohoPhone } from './validation.js';

export interface ZohoSim {
  /** Main (us) data centre: serves the accounts paths, the CRM paths and the /__sim/ control API. */
  url: string;
  accountsUrl: string;
  apiDomain: string;
  /** Every served DC by location, including 'us'. */
  dataCenters: Record<string, DataCenterInfo>;
  control: SimControl;
  close(): Promise<void>;
}

function normaliseDataCenters(list: ZohoSimOptions['dataCenters']): DataCenterOption[] {
  const extras = (list ?? []).map((dc) => (typeof dc === 'string' ? { location: dc } : dc));
  const seen = new Set([MAIN_LOCATION]);
  for (const dc of extras) {
    if (!KNOWN_LOCATIONS.has(dc.location)) throw new Error(`unknown Zoho data centre "${dc.location}"`);
    if (seen.has(dc.location)) throw new Error(`data centre "${dc.location}" given twice`);
    seen.add(dc.location);
  }
  return extras;
}

function urlFor(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startZohoSim(options: ZohoSimOptions = {}): Promise<ZohoSim> {
  const host = options.host ?? '127.0.0.1';
  const extras = normaliseDataCenters(options.dataCenters);
  const userLocation = options.userLocation ?? MAIN_LOCATION;
  if (userLocation !== MAIN_LOCATION && !extras.some((dc) => dc.location === userLocation)) {
    throw new Error(`userLocation "${userLocation}" must be one of the served data centres`);
  }
  const state = new SimState(options);
  const control = new SimControl(state);
  const servers: Server[] = [];
  try {
    for (const dc of [{ location: MAIN_LOCATION, port: options.port ?? 0 }, ...extras]) {
      const server = createDcServer(state, control, dc.location);
      servers.push(server);
      const url = urlFor(host, await listen(server, dc.port ?? 0, host));
      state.dataCenters.set(dc.location, { location: dc.location, accountsUrl: url, apiDomain: url });
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  const main = state.dataCenter(MAIN_LOCATION);
  let closing: Promise<void> | undefined;
  return {
    url: main.accountsUrl,
    accountsUrl: main.accountsUrl,
    apiDomain: main.apiDomain,
    dataCenters: Object.fromEntries(state.dataCenters),
    control,
    close: () => {
      closing ??= Promise.all(servers.map(closeServer)).then(() => undefined);
      return closing;
    },
  };
}
