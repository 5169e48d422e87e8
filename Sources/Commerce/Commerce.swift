// One store's data: catalog, customers, carts, checkout, orders. Filled by the catalog and checkout issues.
import Postgres
