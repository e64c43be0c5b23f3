/*
 * Interaction Pulse preset for Hawtio 4.2.0. Its Connect plugin keeps connections in the browser
 * (localStorage "connect.connections", keyed by id) and has no server-side preset list, so this script adds
 * or refreshes the "Interaction Pulse" connection there, then opens Hawtio with ?con=<id>, which is what the
 * Connect tab's "Connect" button does. Hawtio then talks to the application through its proxy,
 * /hawtio/proxy/<scheme>/<host>/<port>/<path>, limited to hawtio.proxyAllowlist.
 * The URL below is filled in by the war build from pom.xml or -Dpulse.jolokia.url.
 */
(function () {
  var url = new URL('@pulse.jolokia.url@');
  var id = 'interaction-pulse';
  var key = 'connect.connections';
  var connections = {};
  try {
    connections = JSON.parse(window.localStorage.getItem(key) || '{}') || {};
  } catch (e) {
    connections = {};
  }
  var scheme = url.protocol.replace(':', '');
  connections[id] = {
    id: id,
    name: 'Interaction Pulse',
    scheme: scheme,
    host: url.hostname,
    port: Number(url.port || (scheme === 'https' ? 443 : 80)),
    path: url.pathname
  };
  window.localStorage.setItem(key, JSON.stringify(connections));
  // this page is /hawtio/static/pulse.html; Hawtio reads ?con=, keeps it for this tab and drops it from the URL
  window.location.replace('../camel?con=' + encodeURIComponent(id));
})();
