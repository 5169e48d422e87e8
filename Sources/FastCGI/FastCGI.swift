// FastCGI module.
