// Liquid module.
