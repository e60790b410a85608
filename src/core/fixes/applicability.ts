/** Does a fix's precondition hold on the profiled host? Kernel version, privileges, spare cores. */
import type { FixDefinition } from './types';

export interface HostFacts {
  /** [major, minor] from `uname -r`, null when unknown. */
  kernel: [number, number] | null;
  kernelText: string | null;
  cores: number | null;
  uid: number | null;
  sudo: 'root' | 'passwordless' | 'password' | 'none' | null;
}

export interface FixApplicability {
  /** false: the precondition fails on this host; null: it could not be checked. */
  applicable: boolean | null;
  /** One sentence; empty when the fix applies without conditions. */
  reason: string;
  /** True when the reason is about this host (kernel, privileges, cores), not a general caveat. */
  hostSpecific: boolean;
}

const older = (k: [number, number], min: [number, number]) => k[0] < min[0] || (k[0] === min[0] && k[1] < min[1]);
const version = (v: [number, number]) => `${v[0]}.${v[1]}`;

export function fixApplicability(fix: FixDefinition, host: HostFacts): FixApplicability {
  const kernelName = host.kernelText ?? (host.kernel ? version(host.kernel) : 'unknown');
  if (fix.minKernel) {
    if (host.kernel === null) {
      return {
        applicable: null,
        reason: `${fix.id} needs Linux ${version(fix.minKernel)} or newer; the kernel version was not measured, so check \`uname -r\` first.`,
        hostSpecific: true,
      };
    }
    if (older(host.kernel, fix.minKernel)) {
      return {
        applicable: false,
        reason: `${fix.id} needs Linux ${version(fix.minKernel)} or newer; this host runs ${kernelName} (uname), so it does not apply here.`,
        hostSpecific: true,
      };
    }
  }
  if (fix.id === 'sqpoll') {
    if (host.cores !== null && host.cores < 2) {
      return {
        applicable: false,
        reason: `sqpoll's kernel thread needs a core of its own; this host has ${host.cores} CPU, so it would take CPU from the server itself.`,
        hostSpecific: true,
      };
    }
    if (host.kernel !== null && older(host.kernel, [5, 11])) {
      const privileged = host.uid === 0 || host.sudo === 'root' || host.sudo === 'passwordless';
      if (host.uid !== null && !privileged) {
        return {
          applicable: false,
          reason: `sqpoll needs CAP_SYS_ADMIN (or CAP_SYS_NICE) before Linux 5.11; this host runs ${kernelName} and the profile ran as uid ${host.uid} without sudo, so it does not apply unless the server gets that capability.`,
          hostSpecific: true,
        };
      }
      return {
        applicable: true,
        reason: `sqpoll needs CAP_SYS_ADMIN (or CAP_SYS_NICE) on this kernel (${kernelName} < 5.11): run the server with that capability.`,
        hostSpecific: true,
      };
    }
    return {
      applicable: true,
      reason: 'sqpoll burns up to one core in its kernel poll thread: use it only with a spare core.',
      hostSpecific: false,
    };
  }
  if (fix.id === 'send-zc') {
    return {
      applicable: true,
      reason: 'send-zc pays only for large sends (tens of KB); small responses are cheaper to copy.',
      hostSpecific: false,
    };
  }
  return { applicable: true, reason: '', hostSpecific: false };
}
