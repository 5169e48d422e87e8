// Integrations module.
