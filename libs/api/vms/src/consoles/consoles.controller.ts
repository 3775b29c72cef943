import { Body, Controller, Param, Req } from '@nestjs/common';
import { ForbiddenError, Route, type ParsedBody, type RequestWithPrincipal } from '@cockpit/api-core';
import { createConsoleTicket } from '@cockpit/contracts';
import { ConsoleTickets } from './console-tickets.service.js';

/** Access is the guard's (vm.console on the VM); the ticket binds the rest. */
@Controller()
export class ConsolesController {
  constructor(private readonly tickets: ConsoleTickets) {}

  @Route(createConsoleTicket)
  issue(@Req() request: RequestWithPrincipal, @Param('vmId') vmId: string, @Body() body: ParsedBody<typeof createConsoleTicket>) {
    if (!request.principal) throw new ForbiddenError('Sign in first');
    return this.tickets.issue(request.principal, vmId, body.kind);
  }
}
