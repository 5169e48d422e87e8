#!/usr/bin/env python3
"""localstripe (PyPI, 1.15.10) with the Stripe Connect parts Storefleet calls.

localstripe keeps real state for PaymentIntents, payment methods, refunds and events and sends
signed webhooks, but it has no Connect resources and refuses `transfer_data` and
`application_fee_amount`. This module adds, before localstripe's server module builds its
routes (through `localstripe.resources.extra_apis`):

  POST /v1/accounts                      an Express account (acct_...), not yet onboarded
  GET  /v1/accounts/{id}                 its state (charges_enabled, payouts_enabled, details_submitted)
  POST /v1/account_links                 an onboarding link: /_config/connect/onboard/{id}?return_url=...

and, on the stand-in only (under /_config/, which localstripe does not authenticate):

  GET  /_config/connect/onboard/{id}     "finishes onboarding": the account becomes fully
                                         enabled, a signed account.updated webhook is sent, and
                                         the browser is redirected to the link's return_url
  POST /_config/connect/accounts/{id}    sets charges_enabled / payouts_enabled /
                                         details_submitted (form or JSON) and sends account.updated

It also lets PaymentIntents carry `transfer_data[destination]` (an existing account) and
`application_fee_amount` (0..amount), and refunds carry `reverse_transfer` and
`refund_application_fee`, keeping them on the objects so tests can read them back.

Stand-in limit worked around: localstripe's fake Stripe.js `confirmCardPayment(clientSecret)`
only posts to `/v1/payment_intents/{id}/_authenticate` (its 3-D Secure step) and sends no card
data. When that call finds a PaymentIntent without a payment method, this module attaches
the test card 4242 4242 4242 4242 and charges it, as Stripe would with the card element's
details; `success=false` leaves the PaymentIntent unpaid (a declined card).

State lives in --state (one file per stack profile) instead of localstripe's fixed
/tmp/localstripe.pickle, so `make run` and `make test` never share it. The webhook endpoint
(--webhook-url, secret read from --webhook-secret-file) is registered at start; localstripe
waits a second before each delivery.
"""

import argparse
import asyncio
import json
import logging
import os
import pickle
import socket
import sys
import urllib.parse

from localstripe import resources
from localstripe.errors import UserError
from localstripe.resources import (Event, PaymentIntent, PaymentMethod, Refund, StripeObject,
                                   extra_apis, random_id, store, try_convert_to_bool,
                                   try_convert_to_int)
from localstripe.webhooks import register_webhook, schedule_webhook

STATE_FILE = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'localstripe.pickle')


# --- State file -------------------------------------------------------------------------------

def _load(self):
    try:
        with open(STATE_FILE, 'rb') as f:
            old = pickle.load(f)
    except (FileNotFoundError, EOFError):
        return
    self.clear()
    dict.update(self, old)


def _dump(self):
    tmp = STATE_FILE + '.new'
    with open(tmp, 'wb') as f:
        pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, STATE_FILE)


resources.Store.try_load_from_disk = _load
resources.Store.dump_to_disk = _dump


# --- Connect: accounts and account links ------------------------------------------------------

class Account(StripeObject):
    object = 'account'
    _id_prefix = 'acct_'

    def __init__(self, type=None, email=None, country=None, metadata=None, capabilities=None,
                 business_type=None, **kwargs):
        if kwargs:
            raise UserError(400, 'Unexpected ' + ', '.join(kwargs.keys()))
        if type not in ('express', 'standard', 'custom'):
            raise UserError(400, 'type must be express, standard or custom')
        if metadata is not None and not isinstance(metadata, dict):
            raise UserError(400, 'Bad request')
        super().__init__()
        self.type = type
        self.email = email
        self.country = country or 'US'
        self.business_type = business_type
        self.metadata = metadata or {}
        self.capabilities = {}
        self.charges_enabled = False
        self.payouts_enabled = False
        self.details_submitted = False

    @classmethod
    def _api_create_account(cls, **data):
        return cls(**data)

    @classmethod
    def _api_get_account(cls, id, **kwargs):
        return cls._api_retrieve(id)

    def _set_state(self, charges_enabled=None, payouts_enabled=None, details_submitted=None):
        for key, value in (('charges_enabled', charges_enabled), ('payouts_enabled', payouts_enabled),
                           ('details_submitted', details_submitted)):
            value = try_convert_to_bool(value)
            if value is not None:
                if not isinstance(value, bool):
                    raise UserError(400, key + ' must be true or false')
                setattr(self, key, value)
        self.capabilities = ({'card_payments': 'active', 'transfers': 'active'}
                             if self.charges_enabled else {})
        store['account:' + self.id] = self  # saves the state file
        event = Event('account.updated', self)
        event.account = self.id
        schedule_webhook(event)


class AccountLink(StripeObject):
    object = 'account_link'
    _id_prefix = 'acctlink_'
    _base_url = 'http://127.0.0.1:8420'

    def __init__(self, account=None, refresh_url=None, return_url=None, type=None, **kwargs):
        if kwargs:
            raise UserError(400, 'Unexpected ' + ', '.join(kwargs.keys()))
        if not isinstance(account, str) or not account.startswith('acct_'):
            raise UserError(400, 'account is required')
        Account._api_retrieve(account)  # 404 if unknown
        for url in (refresh_url, return_url):
            if not isinstance(url, str) or not url.startswith('http'):
                raise UserError(400, 'refresh_url and return_url must be URLs')
        if type not in ('account_onboarding', 'account_update'):
            raise UserError(400, 'type must be account_onboarding or account_update')
        super().__init__()
        self.account = account
        self.type = type
        self.refresh_url = refresh_url
        self.return_url = return_url
        self.expires_at = self.created + 300
        self.url = (AccountLink._base_url + '/_config/connect/onboard/' + account + '?'
                    + urllib.parse.urlencode({'return_url': return_url}))

    @classmethod
    def _api_create_link(cls, **data):
        return cls(**data)


extra_apis.extend((
    ('POST', '/v1/accounts', Account._api_create_account),
    ('GET', '/v1/accounts/{id}', Account._api_get_account),
    ('POST', '/v1/account_links', AccountLink._api_create_link),
))


# --- PaymentIntents as destination charges ----------------------------------------------------

_pi_init = PaymentIntent.__init__


def _payment_intent_init(self, transfer_data=None, application_fee_amount=None, description=None,
                         on_behalf_of=None, **kwargs):
    fee = try_convert_to_int(application_fee_amount)
    amount = try_convert_to_int(kwargs.get('amount'))
    if transfer_data is not None:
        if not isinstance(transfer_data, dict) or set(transfer_data) - {'destination', 'amount'}:
            raise UserError(400, 'Bad transfer_data')
        destination = transfer_data.get('destination')
        if not isinstance(destination, str) or not destination.startswith('acct_'):
            raise UserError(400, 'transfer_data[destination] must be an account')
        Account._api_retrieve(destination)  # 404 if unknown
    if fee is not None:
        if not isinstance(fee, int) or fee < 0 or (isinstance(amount, int) and fee > amount):
            raise UserError(400, 'application_fee_amount must be between 0 and amount')
        if transfer_data is None and on_behalf_of is None:
            raise UserError(400, 'application_fee_amount needs transfer_data or on_behalf_of')
    _pi_init(self, **kwargs)
    self.transfer_data = transfer_data
    self.application_fee_amount = fee
    self.description = description
    self.on_behalf_of = on_behalf_of
    store['payment_intent:' + self.id] = self


PaymentIntent.__init__ = _payment_intent_init

_refund_init = Refund.__init__


def _refund_init_with_connect(self, reverse_transfer=None, refund_application_fee=None, **kwargs):
    _refund_init(self, **kwargs)
    self.reverse_transfer = try_convert_to_bool(reverse_transfer) or False
    self.refund_application_fee = try_convert_to_bool(refund_application_fee) or False
    store['refund:' + self.id] = self


Refund.__init__ = _refund_init_with_connect


# --- Fake Stripe.js confirmCardPayment --------------------------------------------------------

_authenticate = PaymentIntent._api_authenticate


def _authenticate_or_pay(id, client_secret=None, success=False, **kwargs):
    if kwargs:
        raise UserError(400, 'Unexpected ' + ', '.join(kwargs.keys()))
    obj = PaymentIntent._api_retrieve(id) if isinstance(id, str) else None
    if obj is not None and obj.status == 'requires_payment_method':
        if client_secret != obj.client_secret:
            raise UserError(401, 'Unauthorized')
        if try_convert_to_bool(success) is not True:
            raise UserError(402, 'Your card was declined.', {'code': 'card_declined'})
        pm = PaymentMethod(type='card', card={'number': '4242424242424242', 'exp_month': '12',
                                              'exp_year': '2034', 'cvc': '123'})
        obj.payment_method = pm.id
        obj._create_charge(on_failure_now=obj._report_failure)
        store['payment_intent:' + obj.id] = obj
        return obj
    return _authenticate(id, client_secret=client_secret, success=success)


for i, (method, url, func) in enumerate(extra_apis):
    if url == '/v1/payment_intents/{id}/_authenticate':
        extra_apis[i] = (method, url, _authenticate_or_pay)


# localstripe's server module builds its routes from extra_apis when imported: only now.
from localstripe import server  # noqa: E402
from aiohttp import web  # noqa: E402


async def _onboard(request):
    account = Account._api_retrieve(request.match_info['id'])
    account._set_state(charges_enabled=True, payouts_enabled=True, details_submitted=True)
    return_url = request.query.get('return_url', '')
    if not return_url.startswith('http'):
        return web.Response(text='Onboarding of %s complete.\n' % account.id)
    raise web.HTTPFound(return_url)


async def _set_account(request):
    account = Account._api_retrieve(request.match_info['id'])
    data = await server.get_post_data(request) or {}
    account._set_state(charges_enabled=data.get('charges_enabled'),
                       payouts_enabled=data.get('payouts_enabled'),
                       details_submitted=data.get('details_submitted'))
    return server.json_response(account._export())


server.app.router.add_get('/_config/connect/onboard/{id}', _onboard)
server.app.router.add_post('/_config/connect/accounts/{id}', _set_account)


def main():
    global STATE_FILE
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8420)
    parser.add_argument('--state', required=True, help='state file (one per stack profile)')
    parser.add_argument('--webhook-url', help='where signed events are POSTed')
    parser.add_argument('--webhook-secret-file', help='file holding the webhook signing secret')
    parser.add_argument('--from-scratch', action='store_true')
    args = parser.parse_args()

    STATE_FILE = os.path.abspath(args.state)
    os.makedirs(os.path.dirname(STATE_FILE), exist_ok=True)
    AccountLink._base_url = 'http://%s:%d' % (args.host, args.port)
    if not args.from_scratch:
        store.try_load_from_disk()

    if args.webhook_url:
        with open(args.webhook_secret_file) as f:
            secret = f.read().strip()
        register_webhook('storefleet', args.webhook_url, secret, None)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))

    logger = logging.getLogger('aiohttp.access')
    logger.setLevel(logging.INFO)
    logger.addHandler(logging.StreamHandler(sys.stderr))
    print('localstripe (Storefleet Connect) on http://%s:%d, state %s'
          % (args.host, args.port, STATE_FILE), file=sys.stderr, flush=True)
    web.run_app(server.app, sock=sock, access_log=logger, print=None)


if __name__ == '__main__':
    main()
