// Commerce: one store's data, read and written over that store's own database connection
// (see migrations/tenant/ for the schema).
//
//   Catalog/   storefront reads: product lists (keyset pages, sorts, filters, facets), product
//              pages, collections, search
//   Store/     the store's settings row and static pages
//   Sample/    the demo catalog (`storefleet provision --sample-data`)
//
// Money is Int64 minor units in the store's currency everywhere; nothing here uses floating point.
