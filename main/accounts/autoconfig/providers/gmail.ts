// A config-v1.1 document (Thunderbird's autoconfig format) kept as a string, so that the build, the tests
// and the demo and bench (run by tsx, which has no text loader) all read it alike.
export default `<?xml version="1.0" encoding="UTF-8"?>
<!-- Source: Thunderbird ISPDB, ispdb/googlemail.com.xml (commit ee2e5bed2dc592693066156a3183f77d14842b70);
     the OAuth2 scope narrowed to mail only (https://mail.google.com/), as Twinbox needs no contacts or calendar. -->
<clientConfig version="1.1">
  <emailProvider id="gmail.com">
    <domain>gmail.com</domain>
    <domain>googlemail.com</domain>
    <displayName>Gmail</displayName>
    <displayShortName>Gmail</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.gmail.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.gmail.com</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.gmail.com</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>OAuth2</authentication>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
  <oAuth2>
    <issuer>accounts.google.com</issuer>
    <scope>https://mail.google.com/</scope>
    <authURL>https://accounts.google.com/o/oauth2/auth</authURL>
    <tokenURL>https://www.googleapis.com/oauth2/v3/token</tokenURL>
  </oAuth2>
</clientConfig>
`;
