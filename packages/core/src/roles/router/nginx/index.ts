export { type NginxRouterConfig, nginxRouterConfig } from './nginx-router-config';
export {
  type ConfirmOptions,
  publishRoutingTable,
  type RoutingTablePublisher,
  type RoutingTablePublisherOptions,
} from './redis-routing-publisher';
export { routingTableText } from './routing-table-text';
export { type NginxRouter, type NginxRouterOptions, startNginxRouter } from './start-nginx-router';
