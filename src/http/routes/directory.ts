import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as attributes from '../../app/attributes.js';
import * as contacts from '../../app/contacts.js';
import type { AppContext } from '../../app/context.js';
import * as customers from '../../app/customers.js';
import * as roles from '../../app/roles.js';
import { actorOf } from '../plugins/auth.js';
import {
  AttributeCreate,
  AttributeDefinition,
  AttributeListQuery,
  AttributeUpdate,
  Contact,
  ContactCreate,
  ContactListQuery,
  ContactUpdate,
  Customer,
  CustomerCreate,
  CustomerUpdate,
  errorResponses,
  Group,
  GroupCreate,
  GroupUpdate,
  IdParam,
  Ok,
  PortalRole,
  page,
  RoleCreate,
  RoleUpdate,
  Site,
  SiteInput,
  SiteParams,
} from '../schemas.js';

const ok = { ok: true as const };

/** Customers and their sites, contacts, portal roles, groups and custom attribute definitions. */
export function directoryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  // Customers and sites
  r.get(
    '/api/v1/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'List customers (a scoped admin sees only theirs)',
        querystring: z.object({ q: z.string().max(200).optional() }).strict(),
        response: { 200: z.array(Customer), ...errorResponses },
      },
    },
    (req) => customers.listCustomers(ctx, actorOf(req), req.query),
  );
  r.post(
    '/api/v1/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'Create a customer with its default site HQ',
        body: CustomerCreate,
        response: { 201: Customer, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await customers.createCustomer(ctx, actorOf(req), req.body)),
  );
  r.get(
    '/api/v1/customers/:id',
    { schema: { tags: ['customers'], params: IdParam, response: { 200: Customer, ...errorResponses } } },
    (req) => customers.getCustomer(ctx, actorOf(req), req.params.id),
  );
  r.patch(
    '/api/v1/customers/:id',
    {
      schema: {
        tags: ['customers'],
        params: IdParam,
        body: CustomerUpdate,
        response: { 200: Customer, ...errorResponses },
      },
    },
    (req) => customers.updateCustomer(ctx, actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/customers/:id',
    { schema: { tags: ['customers'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await customers.deleteCustomer(ctx, actorOf(req), req.params.id);
      return ok;
    },
  );
  r.get(
    '/api/v1/customers/:id/sites',
    { schema: { tags: ['customers'], params: IdParam, response: { 200: z.array(Site), ...errorResponses } } },
    (req) => customers.listSites(ctx, actorOf(req), req.params.id),
  );
  r.post(
    '/api/v1/customers/:id/sites',
    {
      schema: {
        tags: ['customers'],
        params: IdParam,
        body: SiteInput,
        response: { 201: Site, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await customers.createSite(ctx, actorOf(req), req.params.id, req.body)),
  );
  r.patch(
    '/api/v1/customers/:id/sites/:siteId',
    {
      schema: {
        tags: ['customers'],
        params: SiteParams,
        body: SiteInput,
        response: { 200: Site, ...errorResponses },
      },
    },
    (req) => customers.renameSite(ctx, actorOf(req), req.params.id, req.params.siteId, req.body),
  );
  r.delete(
    '/api/v1/customers/:id/sites/:siteId',
    { schema: { tags: ['customers'], params: SiteParams, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await customers.deleteSite(ctx, actorOf(req), req.params.id, req.params.siteId);
      return ok;
    },
  );

  // Contacts
  r.get(
    '/api/v1/contacts',
    {
      schema: {
        tags: ['contacts'],
        querystring: ContactListQuery,
        response: { 200: page(Contact), ...errorResponses },
      },
    },
    (req) => {
      const { q, ...rest } = req.query;
      return contacts.listContacts(ctx, actorOf(req), { ...rest, ...(q !== undefined && { search: q }) });
    },
  );
  r.post(
    '/api/v1/contacts',
    { schema: { tags: ['contacts'], body: ContactCreate, response: { 201: Contact, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await contacts.createContact(ctx, actorOf(req), req.body)),
  );
  r.get(
    '/api/v1/contacts/:id',
    { schema: { tags: ['contacts'], params: IdParam, response: { 200: Contact, ...errorResponses } } },
    (req) => contacts.getContact(ctx, actorOf(req), req.params.id),
  );
  r.patch(
    '/api/v1/contacts/:id',
    {
      schema: {
        tags: ['contacts'],
        params: IdParam,
        body: ContactUpdate,
        response: { 200: Contact, ...errorResponses },
      },
    },
    (req) => contacts.updateContact(ctx, actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/contacts/:id',
    { schema: { tags: ['contacts'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await contacts.deleteContact(ctx, actorOf(req), req.params.id);
      return ok;
    },
  );

  // Portal roles
  r.get(
    '/api/v1/roles',
    { schema: { tags: ['roles'], response: { 200: z.array(PortalRole), ...errorResponses } } },
    (req) => roles.listRoles(ctx, actorOf(req)),
  );
  r.post(
    '/api/v1/roles',
    { schema: { tags: ['roles'], body: RoleCreate, response: { 201: PortalRole, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await roles.createRole(ctx, actorOf(req), req.body)),
  );
  r.get(
    '/api/v1/roles/:id',
    { schema: { tags: ['roles'], params: IdParam, response: { 200: PortalRole, ...errorResponses } } },
    (req) => roles.getRole(ctx, actorOf(req), req.params.id),
  );
  r.patch(
    '/api/v1/roles/:id',
    {
      schema: {
        tags: ['roles'],
        params: IdParam,
        body: RoleUpdate,
        response: { 200: PortalRole, ...errorResponses },
      },
    },
    (req) => roles.updateRole(ctx, actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/roles/:id',
    { schema: { tags: ['roles'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await roles.deleteRole(ctx, actorOf(req), req.params.id);
      return ok;
    },
  );

  // Groups
  r.get(
    '/api/v1/groups',
    { schema: { tags: ['groups'], response: { 200: z.array(Group), ...errorResponses } } },
    (req) => roles.listGroups(ctx, actorOf(req)),
  );
  r.post(
    '/api/v1/groups',
    { schema: { tags: ['groups'], body: GroupCreate, response: { 201: Group, ...errorResponses } } },
    async (req, reply) => reply.status(201).send(await roles.createGroup(ctx, actorOf(req), req.body)),
  );
  r.get(
    '/api/v1/groups/:id',
    { schema: { tags: ['groups'], params: IdParam, response: { 200: Group, ...errorResponses } } },
    (req) => roles.getGroup(ctx, actorOf(req), req.params.id),
  );
  r.patch(
    '/api/v1/groups/:id',
    {
      schema: {
        tags: ['groups'],
        params: IdParam,
        body: GroupUpdate,
        response: { 200: Group, ...errorResponses },
      },
    },
    (req) => roles.updateGroup(ctx, actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/groups/:id',
    { schema: { tags: ['groups'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await roles.deleteGroup(ctx, actorOf(req), req.params.id);
      return ok;
    },
  );

  // Custom attribute definitions
  r.get(
    '/api/v1/attributes',
    {
      schema: {
        tags: ['attributes'],
        querystring: AttributeListQuery,
        response: { 200: z.array(AttributeDefinition), ...errorResponses },
      },
    },
    (req) => attributes.listAttributes(ctx, actorOf(req), req.query.entityType),
  );
  r.post(
    '/api/v1/attributes',
    {
      schema: {
        tags: ['attributes'],
        body: AttributeCreate,
        response: { 201: AttributeDefinition, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await attributes.createAttribute(ctx, actorOf(req), req.body)),
  );
  r.get(
    '/api/v1/attributes/:id',
    {
      schema: {
        tags: ['attributes'],
        params: IdParam,
        response: { 200: AttributeDefinition, ...errorResponses },
      },
    },
    (req) => attributes.getAttribute(ctx, actorOf(req), req.params.id),
  );
  r.patch(
    '/api/v1/attributes/:id',
    {
      schema: {
        tags: ['attributes'],
        params: IdParam,
        body: AttributeUpdate,
        response: { 200: AttributeDefinition, ...errorResponses },
      },
    },
    (req) => attributes.updateAttribute(ctx, actorOf(req), req.params.id, req.body),
  );
  r.delete(
    '/api/v1/attributes/:id',
    { schema: { tags: ['attributes'], params: IdParam, response: { 200: Ok, ...errorResponses } } },
    async (req) => {
      await attributes.deleteAttribute(ctx, actorOf(req), req.params.id);
      return ok;
    },
  );
}
