// A config-v1.1 document (Thunderbird's autoconfig format) kept as a string, so that the build, the tests
// and the demo and bench (run by tsx, which has no text loader) all read it alike.
export default `<?xml version="1.0" encoding="UTF-8"?>
<!-- Source: Thunderbird ISPDB, ispdb/messagingengine.com.xml (commit c9b7d4479b2483f900466ff98caf87774785a204), which
     lists only messagingengine.com: fastmail.com and fastmail.fm added from Fastmail's "Server names and ports"; its many
     other domains are found through the MX record (*.messagingengine.com). ISPDB also lists OAuth2 but gives no
     endpoints, and Fastmail issues OAuth2 clients only by arrangement, so only the password (an app password) is kept. -->
<clientConfig version="1.1">
  <emailProvider id="fastmail.com">
    <domain>fastmail.com</domain>
    <domain>fastmail.fm</domain>
    <domain>messagingengine.com</domain>
    <displayName>Fastmail</displayName>
    <displayShortName>Fastmail</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.fastmail.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.fastmail.com</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.fastmail.com</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;
